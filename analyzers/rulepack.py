'''Rule packs: the YAML format, its validation and the loaded dataclasses.

The engine that applies a pack is analyzers.engine.

A rule pack is a YAML file. Everything an analyst tunes is data; the code below only
interprets it. Format (unknown keys are rejected, every error is reported with its path)::

    pack: fair_competition          # name of the pack (required)
    kind: policy                    # analyzer kind the pack serves (required)
    version: 1
    dictionary: ../dictionary/regulatory_terms.txt  # optional jieba user dictionary,
                                                    # relative to this file (for `word: true`)
    defaults:                       # optional; values used when a rule does not say
      window: 30                    # max characters from the first to the last cue of a match
      negation_window: 6            # a negation cue must end this close before the cue it negates
      grade: 疑似
    sets:                           # named cue lists, used in any term list as "$NAME";
                                    # "$A*$B" is every term of A followed by every term of B
      LOCAL: [本地, 本市, 辖区内]
      NEG: [不得, 禁止, 严禁]
    negations: [$NEG]               # default cues for roles with `negatable: true`
    legal_basis: [依据《, 根据《]    # cues naming a legal basis (see rule.legal_basis)
    extensions: {}                  # optional mapping kept as is (RulePack.extensions) for
                                    # data only one analyzer reads (e.g. the ad pack's
                                    # sector cues); the engine does not interpret it
    exception_period: [实施期限, 自动终止]  # with an exception cue: lowers one step more
    list_negations: [不得, 禁止]    # a clause ending with "：" that has one of these cues
                                    # introduces a list of banned conduct: its numbered
                                    # items are quotations, not findings
    exceptions:                     # cues of justified exceptions (e.g. 第十二条)
      - id: FC-12
        item: 第十二条（三）
        label: 节约能源、保护环境、救灾救助等社会公共利益
        cues: [节约能源, 环境保护, 救灾]
    rules:
      - id: fc-9-3-local-bidders    # unique, stable: stored with each finding
        standard: FC-9-3            # id from STANDARDS.md
        grade: 明显违反              # 明显违反 | 疑似 | 提示
        citation: "《公平竞争审查条例》第九条（三）：..."
        explanation: "{subject}…{action}：限制外地经营者参加本地招投标"
        window: 25                  # optional, overrides defaults.window
        ordered: false              # true: roles must occur in the listed order
        cues:                       # every role must match, all within `window`
          - role: subject
            terms: [$LOCAL, 县内]    # literal cues (Aho-Corasick)
            exclude: [日本市]        # a hit inside one of these longer words is ignored
            word: false             # true: the hit must start a jieba token
          - role: action
            terms: [优先, 限定]
            pattern: null           # optional regex that must also match (on the clause)
            negatable: true         # hits preceded by a pack negation cue are ignored
            negated_by: [不得]      # ... or by these cues (implies negatable)
            anchor: false           # true: this role decides which clauses are candidates
        unless: [平等对待]           # any of these in the clause: the rule does not apply
        legal_basis: downgrade      # downgrade | ignore (default): a legal-basis cue
                                    # lowers the grade one step
        exceptions: true            # false: exception cues do not apply to this rule
        sectors: [food, cosmetics]  # optional: only when analyze(sector=...) is one of these
        platforms: [douyin]         # optional: only when analyze(platform=...) is one of these

A role may be `pattern` only (a regex, no terms); a rule then still needs one role with
terms, because only clauses where the anchor role's terms occur are examined further.
All cues and patterns apply to NORMALISED text (analyzers.normalize): write full-width
punctuation or half-width, both work for terms; patterns must use half-width (, ; : ( )).
'''

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analyzers.errors import RulePackError
from analyzers.findings import GRADES
from analyzers.normalize import normalize_term

__all__ = ["CueRole", "ExceptionCue", "Rule", "RulePack", "load_pack"]

logger = logging.getLogger(__name__)

_PACK_KEYS = {
    "pack", "kind", "version", "dictionary", "defaults", "sets", "negations",
    "legal_basis", "exceptions", "rules", "description", "extensions", "exception_period",
    "list_negations",
}
_DEFAULT_KEYS = {"window", "negation_window", "grade"}
_RULE_KEYS = {
    "id", "standard", "grade", "citation", "explanation", "window", "ordered", "cues",
    "unless", "legal_basis", "exceptions", "sectors", "platforms", "note",
}
_ROLE_KEYS = {"role", "terms", "exclude", "word", "pattern", "negatable", "negated_by", "anchor"}
_EXC_KEYS = {"id", "item", "label", "cues"}
_SET_REF = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
_PRODUCT_REF = re.compile(r"^\$([A-Za-z0-9_]+)\*\$([A-Za-z0-9_]+)$")


@dataclass(frozen=True)
class CueRole:
    name: str
    terms: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    negations: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    word: bool = False
    anchor: bool = False


@dataclass(frozen=True)
class ExceptionCue:
    id: str
    item: str
    label: str
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    id: str
    standard: str
    grade: str
    citation: str
    explanation: str
    roles: tuple[CueRole, ...]
    window: int
    negation_window: int
    ordered: bool = False
    unless: tuple[str, ...] = ()
    legal_basis: bool = False
    exceptions: bool = True
    sectors: frozenset[str] | None = None
    platforms: frozenset[str] | None = None


@dataclass(frozen=True)
class RulePack:
    name: str
    kind: str
    path: str
    rules: tuple[Rule, ...]
    legal_basis: tuple[str, ...] = ()
    exceptions: tuple[ExceptionCue, ...] = ()
    exception_period: tuple[str, ...] = ()
    list_negations: tuple[str, ...] = ()
    dictionary: Path | None = None
    version: int = 1
    # Analyzer-specific data from the pack's `extensions:` mapping, not read by the engine.
    extensions: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- loading


class _Loader:
    """Builds a RulePack from parsed YAML, collecting every error before raising."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []
        self.sets: dict[str, list[str]] = {}

    def err(self, where: str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    def check_keys(self, obj: Any, allowed: set[str], where: str) -> bool:
        if not isinstance(obj, dict):
            self.err(where, f"expected a mapping, got {type(obj).__name__}")
            return False
        for key in obj:
            if key not in allowed:
                self.err(f"{where}.{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return True

    def terms(self, value: Any, where: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.err(where, f"expected a list of strings, got {type(value).__name__}")
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.err(f"{where}[{i}]", f"expected a non-empty string, got {item!r}")
                continue
            pm = _PRODUCT_REF.match(item)
            if pm:
                # "$A*$B": every term of A followed by every term of B, e.g. a prohibiting
                # word before a restricting verb, written once instead of enumerated
                a, b = pm.group(1), pm.group(2)
                missing = [x for x in (a, b) if x not in self.sets]
                if missing:
                    self.err(f"{where}[{i}]", f"unknown set ${missing[0]} (define it under sets:)")
                    continue
                out.extend(x + y for x in self.sets[a] for y in self.sets[b])
                continue
            m = _SET_REF.match(item)
            if m:
                if m.group(1) not in self.sets:
                    self.err(f"{where}[{i}]", f"unknown set {item} (define it under sets:)")
                    continue
                out.extend(self.sets[m.group(1)])
            else:
                out.append(normalize_term(item))
        return tuple(dict.fromkeys(out))  # dedupe, keep order

    def load(self, data: Any) -> RulePack:
        if not self.check_keys(data, _PACK_KEYS, "(top)"):
            raise RulePackError(self.path, "(top)", "; ".join(self.errors))
        for key in ("pack", "kind", "rules"):
            if key not in data:
                self.err(key, "required key is missing")
        defaults = data.get("defaults") or {}
        if self.check_keys(defaults, _DEFAULT_KEYS, "defaults"):
            pass
        d_window = self.int_field(defaults, "window", "defaults", 30)
        d_negw = self.int_field(defaults, "negation_window", "defaults", 6)
        d_grade = self.grade_field(defaults, "defaults", "疑似")
        from analyzers.places import builtin_sets  # the gazetteer: $PLACE, $PLACE_CITY, ...

        self.sets.update(builtin_sets())
        raw_sets = data.get("sets") or {}
        set_names = set(raw_sets) if isinstance(raw_sets, dict) else set()
        if self.check_keys(raw_sets, set_names, "sets"):
            for name, value in raw_sets.items():
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(name)):
                    self.err(f"sets.{name}", "set names are letters, digits and _")
                self.sets[str(name)] = list(self.terms(value, f"sets.{name}"))
        negations = self.terms(data.get("negations"), "negations")
        legal = self.terms(data.get("legal_basis"), "legal_basis")
        period = self.terms(data.get("exception_period"), "exception_period")
        list_negs = self.terms(data.get("list_negations"), "list_negations")
        exceptions = []
        for i, exc in enumerate(data.get("exceptions") or []):
            where = f"exceptions[{i}]"
            if not self.check_keys(exc, _EXC_KEYS, where):
                continue
            cues = self.terms(exc.get("cues"), f"{where}.cues")
            if not cues:
                self.err(f"{where}.cues", "at least one cue is required")
            exceptions.append(ExceptionCue(
                str(exc.get("id", "")), str(exc.get("item", "")), str(exc.get("label", "")), cues
            ))
        rules: list[Rule] = []
        seen: set[str] = set()
        raw_rules = data.get("rules") or []
        if not isinstance(raw_rules, list):
            self.err("rules", "expected a list of rules")
            raw_rules = []
        for i, raw in enumerate(raw_rules):
            rule = self.rule(raw, f"rules[{i}]", d_window, d_negw, d_grade, negations)
            if rule is None:
                continue
            if rule.id in seen:
                self.err(f"rules[{i}].id", f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
            rules.append(rule)
        extensions = data.get("extensions") or {}
        if not isinstance(extensions, dict):
            self.err("extensions", f"expected a mapping, got {type(extensions).__name__}")
            extensions = {}
        dictionary = None
        if data.get("dictionary"):
            dictionary = (self.path.parent / str(data["dictionary"])).resolve()
            if not dictionary.is_file():
                self.err("dictionary", f"file not found: {dictionary}")
        if self.errors:
            summary = f"{len(self.errors)} error(s): " + "; ".join(self.errors)
            raise RulePackError(self.path, "", summary)
        return RulePack(
            name=str(data["pack"]), kind=str(data["kind"]), path=str(self.path),
            rules=tuple(rules), legal_basis=legal, exceptions=tuple(exceptions),
            exception_period=period, list_negations=list_negs,
            dictionary=dictionary, version=int(data.get("version", 1)),
            extensions=dict(extensions),
        )

    def int_field(self, obj: dict[str, Any], key: str, where: str, default: int) -> int:
        value = obj.get(key, default) if isinstance(obj, dict) else default
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.err(f"{where}.{key}", f"expected a non-negative integer, got {value!r}")
            return default
        return value

    def grade_field(self, obj: dict[str, Any], where: str, default: str) -> str:
        value = obj.get("grade", default) if isinstance(obj, dict) else default
        if value not in GRADES:
            self.err(f"{where}.grade", f"expected one of {', '.join(GRADES)}, got {value!r}")
            return default
        return str(value)

    def rule(
        self, raw: Any, where: str, d_window: int, d_negw: int, d_grade: str,
        negations: tuple[str, ...],
    ) -> Rule | None:
        rid = str(raw.get("id", "")) if isinstance(raw, dict) else ""
        where = f"{where}({rid})" if rid else where
        if not self.check_keys(raw, _RULE_KEYS, where):
            return None
        for key in ("id", "standard", "citation", "explanation", "cues"):
            if not raw.get(key):
                self.err(f"{where}.{key}", "required key is missing or empty")
        roles: list[CueRole] = []
        raw_roles = raw.get("cues") or []
        if not isinstance(raw_roles, list):
            self.err(f"{where}.cues", "expected a list of roles")
            raw_roles = []
        for j, rr in enumerate(raw_roles):
            rw = f"{where}.cues[{j}]"
            if not self.check_keys(rr, _ROLE_KEYS, rw):
                continue
            terms = self.terms(rr.get("terms"), f"{rw}.terms")
            pattern = None
            if rr.get("pattern"):
                try:
                    pattern = re.compile(str(rr["pattern"]))
                except re.error as exc:
                    self.err(f"{rw}.pattern", f"invalid regex: {exc}")
            if not terms and pattern is None:
                self.err(rw, "a role needs terms or a pattern")
            negs: tuple[str, ...] = ()
            if rr.get("negated_by"):
                negs = self.terms(rr["negated_by"], f"{rw}.negated_by")
            if rr.get("negatable"):
                negs = tuple(dict.fromkeys(negations + negs))
            roles.append(CueRole(
                name=str(rr.get("role") or f"cue{j}"), terms=terms,
                exclude=self.terms(rr.get("exclude"), f"{rw}.exclude"), negations=negs,
                pattern=pattern, word=bool(rr.get("word", False)), anchor=bool(rr.get("anchor")),
            ))
        if roles and not any(r.terms for r in roles):
            self.err(f"{where}.cues", "at least one role needs literal terms (the pre-filter)")
        lb = raw.get("legal_basis", "ignore")
        if lb not in ("downgrade", "ignore"):
            self.err(f"{where}.legal_basis", f"expected downgrade or ignore, got {lb!r}")
        sectors = raw.get("sectors")
        platforms = raw.get("platforms")
        template = str(raw.get("explanation", ""))
        names = {r.name for r in roles}
        for ref in re.findall(r"\{(\w+)\}", template):
            if ref not in names:
                self.err(f"{where}.explanation", f"unknown role {{{ref}}} in template")
        return Rule(
            id=rid, standard=str(raw.get("standard", "")),
            grade=self.grade_field(raw, where, d_grade) if "grade" in raw else d_grade,
            citation=str(raw.get("citation", "")), explanation=template, roles=tuple(roles),
            window=self.int_field(raw, "window", where, d_window),
            negation_window=d_negw, ordered=bool(raw.get("ordered", False)),
            unless=self.terms(raw.get("unless"), f"{where}.unless"),
            legal_basis=lb == "downgrade", exceptions=bool(raw.get("exceptions", True)),
            sectors=frozenset(map(str, sectors)) if sectors else None,
            platforms=frozenset(map(str, platforms)) if platforms else None,
        )


def load_pack(path: str | Path) -> RulePack:
    """Load and validate a rule pack; raises RulePackError naming the file and field."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulePackError(p, "", f"cannot read rule pack: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise RulePackError(p, "", f"invalid YAML: {exc}") from exc
    pack = _Loader(p).load(data)
    logger.debug("loaded rule pack %s: %d rules", pack.name, len(pack.rules))
    return pack
