"""``iapme rules lint``'s run-time check: the rules, registered and run in a subprocess.

The static budget (:mod:`.capacity`) should keep every ruleset far from durable_rules' limits;
the probe makes sure. A child process (``python -m engine.rules.durable.probe RULES_DIR``)
loads the rule base as ``iapme run`` would, registers each ruleset, then evaluates the
synthetic clients of :mod:`engine.rules.witness` (every branch's witness, the client whose
lists hold every value, the client that answered nothing). It reports each step on stdout
before taking it, so when it fails or hangs (durable ignores Ctrl-C in C) the parent knows
where; the parent then names the rule by bisection: the shortest prefix of the failing
ruleset's rules that still fails ends with the rule that breaks it.

Why a subprocess with a timeout: a ruleset past durable's limits can make ``create_ruleset``
loop forever and the process ignore signals; a registered ruleset can never be freed.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from engine.errors import IapmeError, Issue, Location
from engine.rules.durable.capacity import Limits
from engine.rules.durable.evaluate import DurableRules
from engine.rules.durable.program import DurableRule

TIMEOUT = 60.0        # the whole probe: a few seconds on the shipped rule base
STEP_TIMEOUT = 20.0   # one bisection step (one ruleset prefix, one client)


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    step: dict[str, int] | None  # the last step started: {"part": i} or {"part": i, "client": j}
    message: str


def probe_rules(engine: DurableRules, rules_dir: Path, timeout: float = TIMEOUT) -> list[Issue]:
    """Register and evaluate the rules of ``rules_dir`` in a child process; the problems.

    ``engine`` is the parent's program for those rules: the child builds the same one (same
    rules, same budget), so a failing ruleset and rule can be named from it.
    """
    budget = json.dumps(dataclasses.asdict(engine.program.budget))
    outcome = _child([str(rules_dir), "--budget", budget], timeout)
    if outcome.ok:
        return []
    step = outcome.step or {"part": 0}
    part = engine.parts[step["part"]] if step["part"] < len(engine.parts) else None
    culprit = part and _bisect([str(rules_dir), "--budget", budget], step, list(part.rules))
    if not culprit:  # not reproduced rule by rule: the rule base as a whole
        return [Issue(Location(str(rules_dir)), (
            f"rule -: durable_rules failed on the rule base: {outcome.message}"))]
    return [_issue(culprit, step, len(engine.parts), outcome.message)]


def _issue(rule: DurableRule, step: dict[str, int], parts: int, message: str) -> Issue:
    where = rule.branch.rule.locate("when")
    doing = ("evaluating a synthetic client" if "client" in step
             else "registering the ruleset")
    return Issue(Location(where.file, where.line), (
        f"rule {rule.branch.rule.spec.id}: durable_rules fails when this rule is added to "
        f"ruleset {step['part'] + 1} of {parts} ({doing}): {message}; narrow its conditions "
        f"or split it, and report it: the capacity budget should have prevented it"))


def _bisect(base: list[str], step: dict[str, int], rules: list[DurableRule]
            ) -> DurableRule | None:
    """The rule whose addition to the failing ruleset makes it fail (None if none alone does)."""
    low, high = 1, len(rules)  # the full ruleset fails; find the shortest failing prefix
    if _child(_args(base, step, high), STEP_TIMEOUT).ok:
        return None
    while low < high:
        middle = (low + high) // 2
        if _child(_args(base, step, middle), STEP_TIMEOUT).ok:
            low = middle + 1
        else:
            high = middle
    return rules[low - 1]


def _args(base: list[str], step: dict[str, int], prefix: int) -> list[str]:
    args = [*base, "--part", str(step["part"]), "--prefix", str(prefix)]
    if "client" in step:
        args += ["--client", str(step["client"])]
    return args


def _child(args: list[str], timeout: float) -> _Outcome:
    command = [sys.executable, "-m", "engine.rules.durable.probe", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=False)
        output, code = done.stdout, done.returncode
        error = done.stderr.strip().splitlines()[-1:] if done.stderr.strip() else []
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return _Outcome(False, _last_step(output), (
            f"no answer after {timeout:.0f} s (durable_rules hangs)"))
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    if lines and lines[-1].get("ok"):
        return _Outcome(True, None, "")
    failed = next((line["error"] for line in lines if "error" in line), None)
    message = failed or (error[0] if error else f"the probe process ended with code {code}")
    return _Outcome(False, _last_step(output), message)


def _last_step(output: str) -> dict[str, int] | None:
    steps = [json.loads(line) for line in output.splitlines() if line.startswith('{"part"')]
    return steps[-1] if steps else None


# --- the child process --------------------------------------------------------------------------


def _say(**what: object) -> None:
    print(json.dumps(what), flush=True)


def main(argv: list[str]) -> int:
    """``RULES_DIR [--budget JSON] [--part I --prefix N [--client J]]``: register, evaluate."""
    from engine.rules.base import check_rulebase
    from engine.rules.durable.program import Program, build, make_part
    from engine.rules.witness import synthetic_clients

    rules_dir = Path(argv[0])
    options = dict(zip(argv[1::2], argv[2::2], strict=False))
    base, issues = check_rulebase(rules_dir)
    if base is None:
        _say(error=f"the rule base does not lint ({len(issues)} problem(s))")
        return 1
    engine = base.engine
    if "--budget" in options:
        budget = Limits(**json.loads(options["--budget"]))
        if budget != engine.program.budget:
            engine = DurableRules(base.compiled, build(base.compiled, budget))
    clients = synthetic_clients(base.compiled)
    if "--part" in options:  # one bisection step: a prefix of one ruleset, maybe one client
        index, prefix = int(options["--part"]), int(options["--prefix"])
        part = make_part(index, list(engine.parts[index].rules[:prefix]))
        kept = (*engine.parts[:index], part)  # earlier rulesets send their derived facts on
        engine = DurableRules(base.compiled, Program(kept, (), engine.program.budget))
        clients = [clients[int(options["--client"])]] if "--client" in options else []
    for index in range(len(engine.parts)):
        _say(part=index)
        try:
            engine.register(index)
        except IapmeError as exc:
            _say(part=index, error=str(exc))
            return 1
    for number, client in enumerate(clients):
        _say(part=0, client=number)
        try:
            engine.evaluate(client, sid=f"probe-{number}")
        except IapmeError as exc:
            failed = _failed_part(str(exc))
            _say(part=failed, client=number, error=str(exc))
            return 1
    _say(ok=True)
    return 0


def _failed_part(message: str) -> int:
    """The ruleset an evaluation error names (``... in ruleset 2 of 3: ...``), 0-based."""
    marker = " in ruleset "
    if marker in message:
        return int(message.split(marker, 1)[1].split(" ", 1)[0]) - 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
