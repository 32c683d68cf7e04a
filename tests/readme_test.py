#!/usr/bin/env python3
"""Keeps the README true to the code it shows (ctest -R readme).

  readme_test.py code README ROOT
      Every ```cpp and ```ini block of README must be an excerpt of the file under ROOT/examples/
      named on the line right before it, as `From [examples/x.cc](examples/x.cc):`. Runs of
      whitespace count as one space (indentation and line breaks may differ); a line that is only
      `// …` (or `# …` in ini) elides: the parts around it must each appear, in order. A block
      that names no file, names a missing one, or is not found fails, with the first line of the
      block that differs.

  readme_test.py self-test README ROOT
      The check above must catch what it is for: each block with one word changed, a block
      without its file line, a block naming a missing file, the parts of an elided block swapped;
      and must not mind a block re-indented and re-wrapped.

  readme_test.py keys README FIXGATED
      The README's settings table (header `| Key | Default | What it does |`) names only keys
      `FIXGATED --list-keys` knows, and a row with one key gives that key's default as it does.
"""
import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile

CHECKED = {"cpp": "//", "c++": "//", "ini": "#"}  # language -> comment marker of its elision line
FILE_LINE = re.compile(r"\[(examples/[^\]]+)\]\((examples/[^)]+)\)[^[]*:\s*$")


def normalise(lines):
    return " ".join(" ".join(line.split()) for line in lines if line.strip())


class Block:
    def __init__(self, line, lang, body, path):
        self.line = line  # 1-based line of the opening fence
        self.lang = lang
        self.body = body  # the lines between the fences
        self.path = path  # the examples/ file named before it, or None

    def parts(self):
        """The block split at its elision lines: [(first README line, lines)]."""
        marker = CHECKED[self.lang]
        parts, start, current = [], self.line + 1, []
        for i, text in enumerate(self.body):
            if text.strip() in (marker + " …", marker + " ..."):
                parts.append((start, current))
                start, current = self.line + 2 + i, []
            else:
                current.append(text)
        parts.append((start, current))
        return [(n, p) for n, p in parts if any(l.strip() for l in p)]


def blocks(lines):
    """The checked fenced blocks of a Markdown file, with the file each names."""
    found, i = [], 0
    while i < len(lines):
        m = re.match(r"^\s*```\s*(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1).lower(), i
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            j += 1
        if lang in CHECKED:
            k = start - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            path = None
            if k >= 0:
                f = FILE_LINE.search(lines[k])
                if f and f.group(1) == f.group(2):
                    path = f.group(1)
            found.append(Block(start + 1, lang, lines[start + 1:j], path))
        i = j + 1
    return found


def find_at_boundary(text, needle, pos):
    """Index of needle in text at or after pos, starting and ending at word breaks; -1 if none."""
    while True:
        at = text.find(needle, pos)
        if at < 0:
            return -1
        before_ok = at == 0 or text[at - 1] == " " or not (needle[0].isalnum() or needle[0] == "_")
        end = at + len(needle)
        after_ok = end == len(text) or text[end] == " " or not (needle[-1].isalnum() or needle[-1] == "_")
        if before_ok and after_ok:
            return at
        pos = at + 1


def check_code(readme_name, lines, root):
    """Errors, one per bad block: (README line, message)."""
    errors = []
    for b in blocks(lines):
        if b.path is None:
            errors.append((b.line, f"```{b.lang} block names no file: write `From [examples/FILE]"
                                   f"(examples/FILE):` on the line before it"))
            continue
        full = os.path.join(root, b.path)
        if not os.path.isfile(full):
            errors.append((b.line, f"```{b.lang} block names {b.path}, which does not exist"))
            continue
        with open(full, encoding="utf-8") as f:
            source = normalise(f.read().splitlines())
        pos = 0
        for first, part in b.parts():
            at = find_at_boundary(source, normalise(part), pos)
            if at >= 0:
                pos = at + len(normalise(part))
                continue
            # Point at the first line of the part that stops it matching.
            good = 0
            for n in range(1, len(part) + 1):
                if normalise(part[:n]) and find_at_boundary(source, normalise(part[:n]), pos) < 0:
                    break
                good = n
            where = first + good
            errors.append((b.line, f"```{b.lang} block is not an excerpt of {b.path}"
                                   f" (in order, after its earlier parts): README line {where}"
                                   f" differs: {part[good].strip() if good < len(part) else ''}"))
            break
    return errors


def report(readme_name, errors):
    for line, message in errors:
        print(f"{readme_name}:{line}: {message}")


def self_test(readme_name, lines, root):
    failures = []
    baseline = {line for line, _ in check_code(readme_name, lines, root)}
    found = blocks(lines)
    if not found:
        failures.append("the README has no ```cpp or ```ini block to check")

    def caught(mutated, block_line, what):
        errs = {line for line, _ in check_code(readme_name, mutated, root)}
        if block_line not in errs:
            failures.append(f"line {block_line}: not caught: {what}")

    exercised = 0
    for b in found:
        if b.line in baseline:
            continue  # already failing: code mode says why
        exercised += 1
        # One word changed in the middle line of the block that has one.
        candidates = [i for i, t in enumerate(b.body) if re.search(r"[A-Za-z_]{3,}", t)
                      and t.strip() not in ("// …", "# …")]
        if candidates:
            i = candidates[len(candidates) // 2]
            mutated = list(lines)
            mutated[b.line + i] = re.sub(r"([A-Za-z_])([A-Za-z_]{2,})", r"\1XX\2",
                                         lines[b.line + i], count=1)
            caught(mutated, b.line, f"a word changed on line {b.line + i + 1}")
            if exercised == 1:  # once through the command line too: the exit code says it
                with tempfile.TemporaryDirectory() as tmp:
                    copy = os.path.join(tmp, readme_name)
                    with open(copy, "w", encoding="utf-8") as f:
                        f.write("\n".join(mutated) + "\n")
                    with contextlib.redirect_stdout(io.StringIO()):
                        rc = main(["readme_test.py", "code", copy, root])
                    if rc != 1:
                        failures.append(f"code mode on an edited copy exited {rc}, not 1")
        # No file line before it.
        mutated = list(lines)
        k = b.line - 2
        while not mutated[k].strip():
            k -= 1
        mutated[k] = "Some code:"
        caught(mutated, b.line, "the block without its file line")
        # A file that does not exist.
        mutated = list(lines)
        mutated[k] = lines[k].replace(b.path, b.path + ".missing")
        caught(mutated, b.line, "the block naming a missing file")
        # Elided parts swapped.
        parts = b.parts()
        if len(parts) >= 2 and normalise(parts[0][1]) != normalise(parts[1][1]):
            marker = CHECKED[b.lang] + " …"
            body = parts[1][1] + [marker] + parts[0][1]
            for _, p in parts[2:]:
                body += [marker] + p
            end = b.line + len(b.body)
            mutated = lines[:b.line] + body + lines[end:]
            errs = {line for line, _ in check_code(readme_name, mutated, root)}
            if b.line not in errs:
                failures.append(f"line {b.line}: not caught: its elided parts swapped")
        # Re-indented and re-wrapped: still an excerpt.
        body = []
        for t in b.body:
            words = t.split(None, 1)
            if t.strip() in ("// …", "# …") or len(words) < 2:
                body.append(t)
            else:
                body += ["    " + words[0], "\t  " + words[1] + "  "]
        mutated = lines[:b.line] + body + lines[b.line + len(b.body):]
        if b.line in {line for line, _ in check_code(readme_name, mutated, root)}:
            failures.append(f"line {b.line}: a block re-indented and re-wrapped was refused")
    if found and not exercised:
        failures.append("no block passes the check, so none could be edited: run the code mode")
    for f in failures:
        print(f"self-test: {f}")
    if not failures:
        print(f"self-test: {exercised} of {len(found)} blocks edited, every edit caught")
    return not failures


def check_keys(readme_name, lines, fixgated):
    listing = subprocess.run([fixgated, "--list-keys"], check=True, capture_output=True,
                             text=True).stdout.splitlines()
    defaults = {}
    for row in listing:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        m = re.fullmatch(r"`([A-Za-z0-9]+)`", cells[0]) if cells else None
        if m:
            defaults[m.group(1)] = cells[-1]
    if not defaults:
        print(f"{fixgated} --list-keys printed no key table")
        return False
    errors, rows, in_table = [], 0, False
    for n, row in enumerate(lines, 1):
        if re.match(r"^\|\s*Key\s*\|\s*Default\s*\|", row):
            in_table = True
            continue
        if not in_table:
            continue
        if not row.startswith("|"):
            break
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if set(cells[0]) <= set("-: "):
            continue
        rows += 1
        keys = re.findall(r"`([A-Za-z0-9]+)`", cells[0])
        if not keys:
            errors.append((n, "a row of the settings table names no `Key`"))
        for key in keys:
            if key not in defaults:
                errors.append((n, f"{key}: not a key fixgated knows (fixgated --list-keys)"))
        if len(keys) == 1 and keys[0] in defaults and cells[1] != defaults[keys[0]]:
            errors.append((n, f"{keys[0]}: default {cells[1] or '(none)'} here, "
                              f"{defaults[keys[0]] or '(none)'} in fixgated --list-keys"))
        if len(keys) > 1 and cells[1]:
            errors.append((n, "a row with several keys gives no default (one key per row to give one)"))
    if not rows:
        errors.append((0, "no settings table (a header `| Key | Default | What it does |`)"))
    report(readme_name, errors)
    if not errors:
        print(f"{readme_name}: {rows} settings rows agree with fixgated --list-keys")
    return not errors


def main(argv):
    if len(argv) != 4 or argv[1] not in ("code", "self-test", "keys"):
        print(__doc__)
        return 2
    mode, readme = argv[1], argv[2]
    with open(readme, encoding="utf-8") as f:
        lines = f.read().splitlines()
    name = os.path.basename(readme)
    if mode == "code":
        errors = check_code(name, lines, argv[3])
        report(name, errors)
        if not errors:
            print(f"{name}: {len(blocks(lines))} code blocks, each an excerpt of its example")
        return 1 if errors else 0
    if mode == "self-test":
        return 0 if self_test(name, lines, argv[3]) else 1
    return 0 if check_keys(name, lines, argv[3]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
