#!/usr/bin/env python3
"""Drafts spec-skip.txt entries from a run of wast_conformance.

    draft_skips.py BUILD_DIR [SPEC_DIR] [--explain] > draft.txt

Runs `wast_conformance --draft-skips` over every script and proposes a reason
for each unexpected failure from the rules below (first match wins); failures
that only depend on a failed module are left out (the runner skips them
automatically once that module's command is listed). A rule
only proposes: every reason must be checked against the command before the
entry goes into spec-skip.txt, and a failure that is a Compono bug gets fixed,
not listed. Failures no rule explains are printed with the reason "TODO".
"""
import os
import re
import subprocess
import sys

# (file regex, message regex, reason). The message is the runner's failure text.
RULES = [
    # --- proposals wabt 1.0.32 does not implement, or Compono leaves off ---
    (r"", r"memory64 not allowed",
     "memory64 (64-bit memories): not enabled in Compono's wabt feature set"),
    (r"64\.wast$|^table_copy_mixed\.wast$", r"unexpected token (0|1|2|30|0x[0-9a-f_]+), expected \(",
     "table64 (i64 table indices, memory64 proposal): not enabled in Compono; wabt 1.0.32's text "
     "parser rejects (table i64 ...)"),
    (r"^memory64-imports\.wast$", r"unexpected token",
     "memory64 (64-bit memories): not enabled in Compono's wabt feature set, so the text parser "
     "rejects i64 memory limits"),
    (r"", r"unexpected token \"(rec|sub)\"|struct not allowed|array type not allowed|"
          r"\"(i31ref|anyref|nullref|structref|arrayref|eqref)\"|token (anyref|eqref|i31ref|"
          r"structref|arrayref|nullref|nullfuncref|nullexternref)\b|"
          r"ref\.(struct|array|i31|eq|host)\)? needs GC|ref\.null (any|none|eq|i31|struct|array)|"
          r"\"cast failure\"|null (array|structure|i31) reference|out of bounds array access",
     "GC proposal (struct/array/i31/rec/sub types and casts): wabt 1.0.32 cannot parse or decode"),
    (r"", r"tag not allowed|\"try_table\"|\"throw_ref\"|exnref|opcode not allowed: throw|"
          r"ref\.null (exn|noexn)",
     "exception handling (tags, throw, try_table, exnref): Compono leaves wabt 1.0.32's legacy "
     "exceptions feature off, and wabt has no try_table/exnref"),
    (r"", r"\"return_call_ref\"",
     "return_call_ref (tail calls with typed function references): wabt 1.0.32 cannot parse"),
    (r"", r"opcode not allowed: return_call",
     "tail calls: disabled in Compono because wabt 1.0.32's interpreter miscompiles return_call "
     "in modules that import functions"),
    (r"", r"relaxed",
     "relaxed SIMD: not enabled in Compono (wabt 1.0.32 feature off)"),
    (r"", r"@@ \(ref (null )?(any|none|eq|i31|struct|array|nofunc|noextern|noexn|exn)\b",
     "GC proposal (abstract heap types any/none/nofunc/noextern...): wabt 1.0.32 cannot parse"),
    (r"", r"@@ \(ref ",
     "typed function references ((ref $t) / (ref func) value types): wabt 1.0.32 text parser "
     "cannot parse"),
    (r"", r"@@ \(?try_table|@@.*throw_ref",
     "exception handling (tags, throw, try_table, exnref): Compono leaves wabt 1.0.32's legacy "
     "exceptions feature off, and wabt has no try_table/exnref"),
    (r"", r"@@ \((ref\.null|ref\.func|global\.get)\b.*@< .*(funcref|externref) $",
     "table with an initializer expression (Wasm 3.0): wabt 1.0.32 text parser cannot parse"),
    (r"", r"@< .*\bi64 $|unexpected token \"i64\", expected a natural number",
     "table64 (i64 table indices, memory64 proposal): not enabled in Compono; wabt 1.0.32's text "
     "parser rejects (table i64 ...)"),
    (r"^if\.wast$", r"@@ \(then\) \(else\)\).*@< .*\(i32\.eqz\) $",
     "wabt 1.0.32 text parser: a folded `if` whose condition is more than one folded "
     "instruction"),
    (r"", r"opcode not allowed: call_ref|\"ref\.as_non_null\"|\"br_on_(non_)?null\"",
     "typed function references (call_ref, ref.as_non_null, br_on_null): wabt 1.0.32 cannot parse"),
    (r"", r"unexpected token \"\(\", expected (i32, i64|funcref or externref)|"
          r"unexpected token \"\(\", expected a natural number",
     "typed function references ((ref $t) / (ref func) value types): wabt 1.0.32 text parser "
     "cannot parse"),
    (r"", r"annotations not enabled",
     "custom annotations (@name ...): off in Compono because wabt 1.0.32's annotation lexer "
     "spins until the parser timeout on some inputs of annotations.wast"),
    # --- wabt 1.0.32 text-parser gaps on core syntax ---
    (r"^(table_(get|set|fill|grow|size)(64)?)\.wast$",
     r"expected a numeric index or a name",
     "wabt 1.0.32 text parser requires the table index of table.get/set/fill/grow/size "
     "(the spec lets it default to table 0)"),
    (r"^id\.wast$", r"\$\"",
     "quoted identifiers $\"...\": wabt 1.0.32 text parser cannot parse"),
    (r"", r"invalid int \"0x1_0000_0000\"",
     "wabt 1.0.32 text parser rejects a limit of 2^32 as malformed (spec: parses, then invalid "
     "\"memory size\"/\"table size\")"),
    (r"", r"offset must be less than or equal to 0xffffffff",
     "wabt 1.0.32 text parser rejects a memarg offset above 2^32-1 as malformed (spec: parses, "
     "then invalid \"offset out of range\")"),
    (r"^comments\.wast$", r"",
     "wabt 1.0.32 text lexer does not end a ;; comment at a lone carriage return (\\0d)"),
    # --- wabt 1.0.32 decoder/validator gaps ---
    (r"", r"initializer expression can only reference an imported global",
     "wabt 1.0.32 validator rejects global.get of a non-imported global in a constant "
     "expression (allowed since Wasm 3.0)"),
    (r"", r"no memory to copy data to",
     "wabt 1.0.32 binary reader rejects a data segment without memory as malformed (spec: "
     "invalid \"unknown memory\")"),
    (r"", r"invalid elem expression expression",
     "wabt 1.0.32 validator rejects global.get in an element segment expression"),
    (r"", r"table elem type must be a reference type",
     "table with an initializer expression and a (ref func) element type in binary form "
     "(0x40 table encoding, Wasm 3.0): wabt 1.0.32 binary reader cannot decode"),
    (r"^binary\.wast$", r"\(\"unexpected end of section or function\"\), it was accepted",
     "wabt 1.0.32 binary reader accepts a global initializer without `end` that runs past the "
     "end of its section"),
    (r"^call_indirect\.wast$", r"\(\"type mismatch\"\), it was accepted",
     "wabt 1.0.32 validator accepts call_indirect through an externref table"),
    (r"", r"EndFunctionBody callback failed",
     "wabt 1.0.32 reports a br_table with more targets than declared as a validation error "
     "(spec: malformed)"),
]


def source_at(spec, message):
    """The script text at the first FILE:LINE:COLUMN a text-parser error names."""
    m = re.search(r"([A-Za-z0-9_.-]+\.wast):(\d+):(\d+): ", message)
    if not m:
        return ""
    try:
        with open(os.path.join(spec, m.group(1)), encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        line, col = lines[int(m.group(2)) - 1], int(m.group(3)) - 1
        # What the parser choked on, then the few characters before it.
        return line[col:col + 60] + " @< " + line[max(col - 12, 0):col]
    except (OSError, IndexError):
        return ""


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    build = args[0]
    spec = args[1] if len(args) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "testsuites", "spec-core")
    exe = os.path.join(build, "tests", "conformance", "wast_conformance")
    files = sorted(os.path.join(spec, f) for f in os.listdir(spec) if f.endswith(".wast"))
    out = subprocess.run([exe, "--draft-skips"] + files, capture_output=True, text=True).stdout
    line_re = re.compile(r"^(\S+?):(\d+) TODO  # (\S+): (.*)$")
    for line in out.splitlines():
        m = line_re.match(line)
        if not m:
            continue
        file, num, command, message = m.groups()
        if message.startswith("needs the module of line"):
            continue  # a dependent: skipped automatically once its module is listed
        reason = "TODO"
        context = message + " @@ " + source_at(spec, message)
        for file_re, msg_re, why in RULES:
            if re.search(file_re, file) and re.search(msg_re, context):
                reason = why
                break
        explain = reason == "TODO" or "--explain" in sys.argv
        print(f"{file}:{num} {reason}" + (f"  # {command}: {message}" if explain else ""))


if __name__ == "__main__":
    main()
