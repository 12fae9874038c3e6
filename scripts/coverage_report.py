"""Folds `llvm-cov report` (one line per file, on stdin) into line coverage per Sources/ module."""
import re
import sys

modules = {}
for line in sys.stdin:
    parts = line.split()
    # llvm-cov drops the common prefix of the paths, so `Sources/` may or may not be there.
    path = parts[0].split("Sources/")[-1] if parts else ""
    match = re.match(r"([A-Za-z]+)/\S+\.swift$", path)
    if not match or len(parts) < 10:
        continue
    lines, missed = int(parts[7]), int(parts[8])
    total = modules.setdefault(match.group(1), [0, 0])
    total[0] += lines
    total[1] += missed

print(f"{'module':<16} {'lines':>7} {'missed':>7} {'cover':>7}")
all_lines = all_missed = 0
for name, (lines, missed) in sorted(modules.items()):
    all_lines += lines
    all_missed += missed
    print(f"{name:<16} {lines:>7} {missed:>7} {100 * (lines - missed) / lines:>6.1f}%")
print(f"{'all':<16} {all_lines:>7} {all_missed:>7} {100 * (all_lines - all_missed) / all_lines:>6.1f}%")
