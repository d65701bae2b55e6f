// Source of the Python runner that lives inside the bubblewrap sandbox: it reads programs from fd 3, runs
// them in one persistent namespace, and sends host-function calls and run ends as JSON lines on fd 4.

export const PYTHON_RUNNER = String.raw`
import builtins, itertools, json, os, queue, signal, sys, threading, types

# ast.PyCF_ALLOW_TOP_LEVEL_AWAIT; asyncio and traceback load lazily (they cost tens of ms at start).
_ALLOW_TOP_LEVEL_AWAIT = 0x2000



def _close_inherited_fds():
    # Descriptors above the protocol's 4 that survived exec were inherited by the host from its own parent
    # (a CI runner's pipe, a shell redirection): bubblewrap passes them through. Python opens its own with
    # close-on-exec (PEP 446), so an inheritable one here is never the runner's.
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 4:
            try:
                if os.get_inheritable(fd):
                    os.close(fd)
            except OSError:
                pass


_close_inherited_fds()
_RUNNER_PID = os.getpid()
_control_in = os.fdopen(3, "rb")
_send_lock = threading.Lock()
_pending = {}
_programs = queue.Queue()
_ids = itertools.count(1)
_real_stdout, _real_stderr = sys.stdout, sys.stderr


def _send(message):
    data = (json.dumps(message) + "\n").encode()
    with _send_lock:
        view = memoryview(data)
        while view:
            written = os.write(4, view)
            view = view[written:]


def _reader():
    for line in _control_in:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("type") == "host-result":
            slot = _pending.pop(message.get("callId"), None)
            if slot is not None:
                slot[1] = message
                slot[0].set()
                if slot[2] is not None:
                    slot[2]()
        else:
            _programs.put(message)
    _programs.put(None)


class HostFunctionError(Exception):
    """A host function failed; the message is all the host shares."""


def _start_call(name, args, on_done=None):
    call_id = next(_ids)
    slot = [threading.Event(), None, on_done]
    _pending[call_id] = slot
    _send({"type": "host-call", "callId": call_id, "name": name, "argsJson": json.dumps(list(args))})
    return slot


def _finish_call(slot):
    slot[0].wait()
    message = slot[1]
    if message.get("ok"):
        return json.loads(message.get("payload", "null"))
    raise HostFunctionError(str(message.get("payload")))


def call(name, *args):
    """Calls host function 'name' and returns its JSON result."""
    return _finish_call(_start_call(name, args))


def call_parallel(calls):
    """Starts every (name, [args]) call at once on the host and returns the results in order."""
    slots = [_start_call(name, list(args)) for name, args in calls]
    return [_finish_call(slot) for slot in slots]


async def acall(name, *args):
    """Awaitable call; several acall()s under asyncio.gather run concurrently on the host."""
    # No thread per call: the reader thread wakes the event loop when the answer arrives.
    import asyncio
    loop = asyncio.get_running_loop()
    arrived = loop.create_future()

    def settle():
        if not arrived.done():
            arrived.set_result(None)

    def wake():
        try:
            loop.call_soon_threadsafe(settle)
        except RuntimeError:
            pass  # The loop closed: nobody awaits this call any more.

    slot = _start_call(name, args, wake)
    await arrived
    return _finish_call(slot)


roma_host = types.ModuleType("roma_host")
roma_host.call = call
roma_host.call_parallel = call_parallel
roma_host.acall = acall
roma_host.HostFunctionError = HostFunctionError
sys.modules["roma_host"] = roma_host

namespace = {"__name__": "__main__", "__builtins__": builtins}


def _install_host_functions(names):
    for name in names:
        parts = name.split(".")
        target = namespace
        for part in parts[:-1]:
            holder = target.get(part) if isinstance(target, dict) else getattr(target, part, None)
            if holder is None:
                holder = types.SimpleNamespace()
                if isinstance(target, dict):
                    target[part] = holder
                else:
                    setattr(target, part, holder)
            target = holder
        function = (lambda bound: lambda *args: call(bound, *args))(name)
        function.__name__ = parts[-1]
        if isinstance(target, dict):
            target[parts[-1]] = function
        else:
            setattr(target, parts[-1], function)


def _reap_children():
    # The host kills what a run left behind once it ends (the guest cannot stop that); collect the zombies.
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _run(message):
    exit_code = 0
    error_type = None
    _reap_children()
    try:
        os.chdir("/workspace")
        compiled = compile(message["code"], "<program>", "exec", flags=_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(compiled, namespace)
        if result is not None and type(result).__name__ == "coroutine":
            import asyncio
            asyncio.run(result)
    except SystemExit as stop:
        if os.getpid() != _RUNNER_PID:
            os._exit(0)
        if stop.code is None:
            exit_code = 0
        elif isinstance(stop.code, int):
            exit_code = stop.code
        else:
            print(stop.code, file=sys.stderr)
            exit_code = 1
    except BaseException as error:
        if os.getpid() != _RUNNER_PID:
            os._exit(1)
        error_type = type(error).__name__
        exit_code = 1
        trace = error.__traceback__
        if isinstance(error, (MemoryError, RecursionError)):
            # The frames hold what exhausted memory or the stack: drop them before formatting anything.
            error.__traceback__ = None
            trace = None
        try:
            import traceback
            frames = traceback.extract_tb(trace)[1:] if trace is not None else []
            if frames:
                sys.stderr.write("Traceback (most recent call last):\n")
                sys.stderr.write("".join(traceback.format_list(frames[-8:])))
            sys.stderr.write("".join(traceback.format_exception_only(type(error), error)))
        except BaseException:
            try:
                sys.stderr.write(error_type + "\n")
            except BaseException:
                pass
        trace = None
    if os.getpid() != _RUNNER_PID:
        os._exit(exit_code)
    marker = "\x00" + message["nonce"] + "\x00"
    for stream, real in ((sys.stdout, _real_stdout), (sys.stderr, _real_stderr)):
        try:
            stream.flush()
        except BaseException:
            pass
    sys.stdout, sys.stderr = _real_stdout, _real_stderr
    for real in (_real_stdout, _real_stderr):
        real.write(marker)
        real.flush()
    _send({"type": "done", "id": message["id"], "exitCode": exit_code, "errorType": error_type})


def main():
    # RLIMIT_DATA counts every thread's stack (8 MiB by default): small stacks let a program run dozens of
    # threads (ThreadPoolExecutor, asyncio.to_thread) within its memory limit.
    threading.stack_size(512 * 1024)
    sys.stdout.reconfigure(errors="backslashreplace")
    sys.stderr.reconfigure(errors="backslashreplace")
    threading.Thread(target=_reader, daemon=True).start()
    _send({"type": "ready"})
    while True:
        message = _programs.get()
        if message is None:
            return
        if message.get("type") == "init":
            _install_host_functions(message.get("hostFunctions", []))
            _send({"type": "initialized"})
        elif message.get("type") == "run":
            _run(message)


main()
`;
