"""Read a process's memory (``/proc/<pid>/mem`` over every readable mapping) and say which secrets
it holds. Needs the right to read that memory: the same user for a dumpable process, root
(``CAP_SYS_PTRACE``) for a non-dumpable one such as the token keeper."""

from __future__ import annotations

#: Mappings the kernel refuses to hand out through /proc/<pid>/mem, or not memory of the process.
_SKIP = ("[vvar]", "[vsyscall]", "[vvar_vclock]")
#: Read a large mapping in blocks of this size (Chromium's renderers map hundreds of MB).
_BLOCK = 32 * 1024 * 1024


def memory_holds(pid: int, secrets: list[str]) -> dict[str, bool]:
    """Which of ``secrets`` occur (as ASCII bytes, as CPython keeps ASCII str) in ``pid``'s memory."""
    wanted = {s: s.encode() for s in secrets}
    found = dict.fromkeys(secrets, False)
    overlap = max((len(raw) for raw in wanted.values()), default=1) - 1  # a secret across two blocks
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for line in maps:
            fields = line.split()
            if not fields[1].startswith("r") or (len(fields) > 5 and fields[5] in _SKIP):
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            tail = b""
            while start < end:
                try:
                    mem.seek(start)
                    block = mem.read(min(_BLOCK, end - start))
                except (OSError, OverflowError, ValueError):
                    break  # an unreadable mapping (a device's, a guard page): skip it
                if not block:
                    break
                data = tail + block
                for secret, raw in wanted.items():
                    found[secret] = found[secret] or raw in data
                tail = data[-overlap:] if overlap else b""
                start += len(block)
    return found
