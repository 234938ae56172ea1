"""Every audit action code the code base writes, found by reading its source.

``record_audit(action=...)`` is the one place codes are written; functions that pass one
of their parameters on as (part of) the code — ``record_person_view(page=...)``, each
app's ``_audit(by, action, ...)`` — are followed to their callers, so a code built as
``f"person.view.{page}"`` is found with each page passed. A part that is not known from
the source (a variable) is ``*``.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "joinedup"


def _name(func) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _params(func) -> list[str]:
    return [a.arg for a in (*func.args.posonlyargs, *func.args.args)]


def _argument(call: ast.Call, name: str, position: int | None):
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if position is not None and position < len(call.args):
        return call.args[position]
    return None


def _shape(node, params: set[str]) -> tuple[str, str | None]:
    """(pattern, the parameter it is built from or None): "a.*" with "*" for unknowns."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, None
    if isinstance(node, ast.Name):
        return ("{}", node.id) if node.id in params else ("*", None)
    if isinstance(node, ast.JoinedStr):
        text, param = "", None
        for part in node.values:
            if isinstance(part, ast.Constant):
                text += part.value
            elif isinstance(part.value, ast.Name) and part.value.id in params and param is None:
                text, param = text + "{}", part.value.id
            else:
                text += "*"
        return text, param
    return "*", None


def audit_codes(package: Path = PACKAGE) -> dict[str, set[str]]:
    """{code pattern: {where it is written}} for every audit code in ``package``."""
    modules = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        modules.append((path, defs))
    # (module path or None for any, function name) -> (template, parameter, position)
    sinks = {(None, "record_audit"): ("{}", "action", None)}

    def callee(path, local_names, call):
        name = _name(call.func)
        if isinstance(call.func, ast.Name) and name in local_names:
            return sinks.get((path, name)) or sinks.get((None, name))
        return sinks.get((None, name)) or next(
            (v for (p, n), v in sinks.items() if n == name and p is not None), None
        )

    def calls(func):
        params = set(_params(func)) | {a.arg for a in func.args.kwonlyargs}
        for node in ast.walk(func):
            if isinstance(node, ast.Call):
                yield node, params

    changed = True
    while changed:
        changed = False
        for path, defs in modules:
            local = {f.name for f in defs}
            for func in defs:
                if (path, func.name) in sinks:
                    continue
                for call, params in calls(func):
                    target = callee(path, local, call)
                    if target is None:
                        continue
                    template, param, position = target
                    text, built_from = _shape(_argument(call, param, position), params)
                    if built_from is None:
                        continue
                    positional = _params(func)
                    sinks[(path, func.name)] = (
                        template.replace("{}", text),
                        built_from,
                        positional.index(built_from) if built_from in positional else None,
                    )
                    changed = True
                    break
    codes: dict[str, set[str]] = {}
    for path, defs in modules:
        local = {f.name for f in defs}
        for func in defs:
            for call, params in calls(func):
                target = callee(path, local, call)
                if target is None:
                    continue
                template, param, position = target
                node = _argument(call, param, position)
                if node is None:
                    continue
                text, built_from = _shape(node, params)
                if built_from is not None and (path, func.name) in sinks:
                    continue  # passed on: found at the callers
                code = template.replace("{}", text.replace("{}", "*"))
                where = f"{path.relative_to(package.parent)}:{call.lineno}"
                codes.setdefault(code, set()).add(where)
    return codes


if __name__ == "__main__":
    for code, where in sorted(audit_codes().items()):
        print(f"{code:45} {sorted(where)[0]}")
