// Draws the task tree as an SVG graph laid out by dagre: status colours, type, tokens, cost, cache hits.
import dagre from '@dagrejs/dagre';
import type { TaskNode } from '../../../contracts/index.js';
import type { RunState } from './run-view.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_WIDTH = 190;
const NODE_HEIGHT = 62;

export const STATUS_COLOURS: Record<string, string> = {
  PENDING: '#c9ced6',
  ATOMIZING: '#9ec5fe',
  PLANNING: '#9ec5fe',
  EXECUTING: '#ffd166',
  WAITING_FOR_CHILDREN: '#b8e0ff',
  AGGREGATING: '#ffd166',
  VERIFYING: '#ffd166',
  COMPLETED: '#8fd694',
  FAILED: '#f28b82',
  CANCELLED: '#d7aefb',
};

function element<K extends keyof SVGElementTagNameMap>(
  name: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

export function drawTree(
  svg: SVGSVGElement,
  state: RunState,
  selected: string | null,
  onSelect: (taskId: string) => void,
): void {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 48, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  const nodes = [...state.tree.nodes.values()];
  for (const node of nodes) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const node of nodes)
    if (node.parentId && state.tree.nodes.has(node.parentId)) graph.setEdge(node.parentId, node.id);
  dagre.layout(graph);
  const size = graph.graph();
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${Math.max(200, size.width ?? 0)} ${Math.max(100, size.height ?? 0)}`);
  // Scaled to the panel's width (never above natural size), so a wide tree is seen whole.
  svg.style.width = '100%';
  svg.style.maxWidth = `${Math.max(200, size.width ?? 0)}px`;
  svg.style.height = 'auto';
  for (const edge of graph.edges()) {
    const points = graph.edge(edge).points ?? [];
    svg.append(
      element('polyline', {
        points: points.map((point: { x: number; y: number }) => `${point.x},${point.y}`).join(' '),
        fill: 'none',
        stroke: '#889',
        'stroke-width': 1.5,
      }),
    );
  }
  for (const node of nodes) drawNode(svg, node, graph.node(node.id), state, node.id === selected, onSelect);
}

function drawNode(
  svg: SVGSVGElement,
  node: TaskNode,
  box: { x: number; y: number },
  state: RunState,
  selected: boolean,
  onSelect: (taskId: string) => void,
): void {
  const group = element('g', {
    class: 'task',
    'data-task-id': node.id,
    'data-status': node.status,
    'data-task-type': node.taskType,
    transform: `translate(${box.x - NODE_WIDTH / 2},${box.y - NODE_HEIGHT / 2})`,
  });
  group.append(
    element('rect', {
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      rx: 6,
      fill: STATUS_COLOURS[node.status] ?? '#ddd',
      stroke: selected ? '#123' : '#667',
      'stroke-width': selected ? 3 : 1,
    }),
  );
  const tokens = node.usage.inputTokens + node.usage.outputTokens;
  const hits = state.cacheHits.get(node.id) ?? 0;
  const lines = [
    `${node.taskType}${node.nodeType ? ` · ${node.nodeType}` : ''} · ${node.status.toLowerCase()}`,
    clip(node.goal, 30),
    `${tokens} tok · $${node.usage.costUsd.toFixed(4)}${hits ? ` · ${hits} cached` : ''}`,
  ];
  lines.forEach((line, index) => {
    const text = element('text', {
      x: 8,
      y: 17 + index * 17,
      'font-size': index === 1 ? 12 : 11,
      'font-weight': index === 0 ? 600 : 400,
    });
    text.textContent = line;
    group.append(text);
  });
  const title = element('title', {});
  title.textContent = node.goal;
  group.append(title);
  group.addEventListener('click', () => onSelect(node.id));
  svg.append(group);
}
