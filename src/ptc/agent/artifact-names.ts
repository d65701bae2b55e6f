// Artifact names from workspace paths: unique and reversible (`sub/data.csv` → `sub_2Fdata.csv` and back).

/** The store keeps names of at most this many characters (one path segment, under any file system's 255). */
export const MAX_ARTIFACT_NAME_CHARS = 200;

const PLAIN = /[A-Za-z0-9.-]/;

/**
 * Encodes a path relative to results/ as one name the stores keep as is: letters, digits, `-` and `.` stay,
 * every other UTF-8 byte (and `_`, the escape, and a `.` that is first or follows a `.`) becomes `_XX`. Two
 * paths never share a name, and `decodeArtifactName` gives the path back.
 */
export function encodeArtifactName(path: string): string {
  let out = '';
  let previous = '';
  for (const character of path) {
    const keep = PLAIN.test(character) && !(character === '.' && (previous === '' || previous === '.'));
    if (keep) out += character;
    else
      for (const byte of Buffer.from(character, 'utf8'))
        out += `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    previous = character;
  }
  return out;
}

export function decodeArtifactName(name: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < name.length; index += 1) {
    if (name[index] === '_') {
      bytes.push(Number.parseInt(name.slice(index + 1, index + 3), 16));
      index += 2;
    } else bytes.push(name.charCodeAt(index));
  }
  return Buffer.from(bytes).toString('utf8');
}
