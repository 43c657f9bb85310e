"""Reading and checking an mRNA construct's template sequence (FASTA, GenBank, SBOL3).

The uploaded sequence is the sense strand of the DNA template (``ACGT``) or the mRNA itself
(``ACGU``); it must read, 5′ → 3′:

    5′ UTR · ORF (ATG … in-frame stop) · 3′ UTR · encoded poly(A) · linearization site

Checks (every problem is reported with its 1-based position; see docs/production.md):

- alphabet: A, C, G and T, or A, C, G and U (never both T and U); N is refused (a GMP template
  has no ambiguous base) — the first offending character and its position are named;
- length and GC % within the policy's bounds;
- ORF: the GenBank CDS feature when there is one, else the longest ATG-initiated reading frame of
  the sense strand; it must start with ATG, end with an in-frame stop and hold no premature stop;
- 5′ UTR: at least ``min_utr5`` nt before the start codon; 3′ UTR: at least ``min_utr3`` nt
  between the stop codon and the poly(A);
- encoded poly(A): the longest run of A after the ORF, its length within bounds;
- linearization: the enzyme (a name from :mod:`Bio.Restriction`) recognises exactly one site, and
  that site lies after the poly(A), outside the insert.

Parsing is bounded: the file size (``MAX_BYTES``) and the number of records (one construct per
file; reading stops at the second record). Nothing is evaluated.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from bioproof.core.errors import DomainError

MAX_BYTES = 512 * 1024
MAX_RECORDS = 1
STOPS = ("TAA", "TAG", "TGA")


@dataclass(frozen=True)
class Policy:
    """The facility's construct rules (bounds are data, defaults below)."""

    min_length: int = 300
    max_length: int = 15000
    min_gc: float = 30.0
    max_gc: float = 70.0
    min_utr5: int = 10
    min_utr3: int = 10
    min_polya: int = 60
    max_polya: int = 150
    min_orf_codons: int = 30


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class ConstructReport:
    """What a valid construct holds (positions 1-based, inclusive)."""

    length: int
    gc_percent: float
    alphabet: str
    orf_start: int
    orf_end: int
    orf_codons: int
    utr5_length: int
    utr3_length: int
    polya_start: int
    polya_length: int
    enzyme: str
    site_position: int
    protein_length: int
    name: str = ""
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _bad(message: str) -> DomainError:
    return DomainError(message, field="sequence")


def read_sequence(data: bytes, filename: str) -> tuple[str, str, dict[str, Any]]:
    """Parse ``data`` (FASTA, GenBank or SBOL3) into (name, sequence, hints); bounded.

    ``hints`` may carry ``cds`` ((start, end) 0-based half-open from a GenBank CDS feature) and
    ``circular``. Raises DomainError naming the problem.
    """
    if len(data) > MAX_BYTES:
        raise _bad(
            _("File '%(f)s' is larger than %(n)d KB; a construct file is at most that.")
            % {"f": filename, "n": MAX_BYTES // 1024}
        )
    if not data.strip():
        raise _bad(_("File '%(f)s' is empty.") % {"f": filename})
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(
            _("File '%(f)s' is not UTF-8 text (byte %(pos)d).") % {"f": filename, "pos": exc.start}
        ) from None
    if "\x00" in text:
        raise _bad(_("File '%(f)s' is not a text file.") % {"f": filename})
    head = text.lstrip()[:200]
    if head.startswith(">"):
        fmt = "fasta"
    elif head.startswith("LOCUS"):
        fmt = "genbank"
    elif head.startswith(("<?xml", "<rdf", "@prefix", "{", "<http")):
        return _read_sbol3(text, filename)
    else:
        raise _bad(
            _(
                "File '%(f)s' is neither FASTA (starts with '>'), GenBank (starts with 'LOCUS') "
                "nor SBOL3."
            )
            % {"f": filename}
        )
    from Bio import SeqIO

    records = []
    try:
        for record in SeqIO.parse(io.StringIO(text), fmt):
            records.append(record)
            if len(records) > MAX_RECORDS:
                break
    except ValueError as exc:
        raise _bad(
            _("File '%(f)s' could not be read as %(fmt)s: %(why)s")
            % {"f": filename, "fmt": fmt.upper(), "why": str(exc)[:200]}
        ) from None
    if not records:
        raise _bad(_("File '%(f)s' holds no sequence record.") % {"f": filename})
    if len(records) > MAX_RECORDS:
        raise _bad(
            _("File '%(f)s' holds more than one sequence record; upload one construct per file.")
            % {"f": filename}
        )
    record = records[0]
    try:
        seq = str(record.seq)
    except Exception:  # Bio's UndefinedSequenceError: a GenBank file without ORIGIN
        raise _bad(_("File '%(f)s' has no sequence (no ORIGIN).") % {"f": filename}) from None
    hints: dict[str, Any] = {}
    if fmt == "genbank":
        cds = [f for f in record.features if f.type == "CDS"]
        if len(cds) > 1:
            raise _bad(
                _("File '%(f)s' has %(n)d CDS features; a construct encodes one ORF.")
                % {"f": filename, "n": len(cds)}
            )
        if cds:
            loc = cds[0].location
            if loc.strand == -1:
                raise _bad(
                    _("The CDS at %(s)d..%(e)d is on the reverse strand; give the sense strand.")
                    % {"s": int(loc.start) + 1, "e": int(loc.end)}
                )
            hints["cds"] = (int(loc.start), int(loc.end))
        hints["circular"] = record.annotations.get("topology") == "circular"
    return (record.id or record.name or "")[:100], seq, hints


def _read_sbol3(text: str, filename: str) -> tuple[str, str, dict[str, Any]]:
    import sbol3

    head = text.lstrip()[:200]
    if head.startswith("{"):
        file_format = sbol3.JSONLD
    elif head.startswith(("<?xml", "<rdf")):
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise _bad(
                _("File '%(f)s' declares XML entities; they are not accepted.") % {"f": filename}
            )
        file_format = sbol3.RDF_XML
    elif head.startswith("@prefix"):
        file_format = sbol3.TURTLE
    else:
        file_format = sbol3.NTRIPLES
    doc = sbol3.Document()
    try:
        doc.read_string(text, file_format=file_format)
    except Exception as exc:  # rdflib raises many kinds
        raise _bad(
            _("File '%(f)s' could not be read as SBOL3: %(why)s")
            % {"f": filename, "why": str(exc)[:200]}
        ) from None
    seqs = [o for o in doc.objects if isinstance(o, sbol3.Sequence) and o.elements]
    if not seqs:
        raise _bad(_("File '%(f)s' holds no SBOL3 Sequence with elements.") % {"f": filename})
    if len(seqs) > MAX_RECORDS:
        raise _bad(
            _("File '%(f)s' holds more than one sequence record; upload one construct per file.")
            % {"f": filename}
        )
    s = seqs[0]
    return (s.display_id or "")[:100], str(s.elements), {}


def _orfs(seq: str) -> tuple[int, int] | None:
    """The longest ATG…stop reading frame of ``seq`` (0-based start, end exclusive, stop
    included)."""
    best: tuple[int, int] | None = None
    for m in re.finditer("(?=ATG)", seq):
        start = m.start()
        if best and best[0] <= start < best[1]:
            continue  # nested in a longer ORF of the same frame
        for i in range(start, len(seq) - 2, 3):
            if seq[i : i + 3] in STOPS:
                if best is None or (i + 3 - start) > (best[1] - best[0]):
                    best = (start, i + 3)
                break
    return best


def check_construct(
    raw_sequence: str, *, enzyme: str, policy: Policy = DEFAULT_POLICY, hints: dict | None = None
) -> ConstructReport:
    """Validate the construct; raise DomainError listing every problem with its position."""
    hints = hints or {}
    seq = re.sub(r"\s+", "", raw_sequence).upper()
    if not seq:
        raise _bad(_("The sequence is empty."))
    problems: list[str] = []
    bad = re.search(r"[^ACGTU]", seq)
    if bad:
        ch = bad.group()
        if ch == "N":
            raise _bad(
                _(
                    "Position %(pos)d: 'N' (an ambiguous base) is not allowed in a GMP template; "
                    "give the exact base."
                )
                % {"pos": bad.start() + 1}
            )
        raise _bad(
            _("Position %(pos)d: '%(ch)s' is not a nucleotide (allowed: A, C, G, T or U).")
            % {"pos": bad.start() + 1, "ch": ch}
        )
    if "T" in seq and "U" in seq:
        t, u = seq.index("T"), seq.index("U")
        raise _bad(
            _(
                "The sequence mixes T (first at position %(t)d) and U (first at position %(u)d); "
                "give DNA (ACGT) or RNA (ACGU)."
            )
            % {"t": t + 1, "u": u + 1}
        )
    alphabet = "RNA" if "U" in seq else "DNA"
    dna = seq.replace("U", "T")
    n = len(dna)
    if not (policy.min_length <= n <= policy.max_length):
        problems.append(
            _("Length %(n)d nt is outside %(lo)d–%(hi)d nt.")
            % {"n": n, "lo": policy.min_length, "hi": policy.max_length}
        )
    gc = round(100.0 * (dna.count("G") + dna.count("C")) / n, 2)
    if not (policy.min_gc <= gc <= policy.max_gc):
        problems.append(
            _("GC content %(gc).1f %% is outside %(lo)g–%(hi)g %%.")
            % {"gc": gc, "lo": policy.min_gc, "hi": policy.max_gc}
        )
    # ORF
    if "cds" in hints:
        start, end = hints["cds"]
    else:
        found = _orfs(dna)
        if found is None:
            raise _bad(_("No open reading frame: no ATG followed by an in-frame stop codon."))
        start, end = found
    orf = dna[start:end]
    if orf[:3] != "ATG":
        problems.append(
            _("Position %(pos)d: the ORF starts with %(codon)s, not the start codon ATG.")
            % {"pos": start + 1, "codon": orf[:3]}
        )
    if len(orf) % 3:
        problems.append(
            _("The ORF %(s)d..%(e)d is %(n)d nt long, not a whole number of codons.")
            % {"s": start + 1, "e": end, "n": len(orf)}
        )
    elif orf[-3:] not in STOPS:
        problems.append(
            _("Position %(pos)d: the ORF ends with %(codon)s, not an in-frame stop codon.")
            % {"pos": end - 2, "codon": orf[-3:]}
        )
    for i in range(0, len(orf) - 3, 3):
        if orf[i : i + 3] in STOPS:
            problems.append(
                _("Position %(pos)d: premature in-frame stop codon %(codon)s in the ORF.")
                % {"pos": start + i + 1, "codon": orf[i : i + 3]}
            )
            break
    codons = len(orf) // 3
    if codons < policy.min_orf_codons:
        problems.append(
            _("The ORF has %(n)d codons; at least %(min)d are expected.")
            % {"n": codons, "min": policy.min_orf_codons}
        )
    if start < policy.min_utr5:
        problems.append(
            _(
                "5′ UTR missing or too short: the start codon is at position %(pos)d "
                "(at least %(min)d nt of 5′ UTR expected)."
            )
            % {"pos": start + 1, "min": policy.min_utr5}
        )
    # poly(A): the longest A run after the ORF
    tail = dna[end:]
    runs = [(m.start(), m.end() - m.start()) for m in re.finditer("A+", tail)]
    polya_off, polya_len = max(runs, key=lambda r: (r[1], -r[0])) if runs else (len(tail), 0)
    polya_start = end + polya_off
    if polya_len < policy.min_polya or polya_len > policy.max_polya:
        problems.append(
            _("Encoded poly(A) of %(n)d nt at position %(pos)d is outside %(lo)d–%(hi)d nt.")
            % {
                "n": polya_len,
                "pos": polya_start + 1,
                "lo": policy.min_polya,
                "hi": policy.max_polya,
            }
        )
    utr3 = polya_off
    if utr3 < policy.min_utr3:
        problems.append(
            _(
                "3′ UTR missing or too short: %(n)d nt between the stop codon (ends at %(end)d) "
                "and the poly(A) (at least %(min)d nt expected)."
            )
            % {"n": utr3, "end": end, "min": policy.min_utr3}
        )
    # linearization site
    site_pos = 0
    enzyme_obj = _enzyme(enzyme)
    sites = sorted({m.start() for m in enzyme_obj.compsite.finditer(dna)})
    if not sites:
        problems.append(
            _("No %(enz)s site: the template cannot be linearized with %(enz)s.")
            % {"enz": enzyme_obj.__name__}
        )
    elif len(sites) > 1:
        problems.append(
            _(
                "%(enz)s cuts at %(n)d sites (positions %(pos)s); the linearization site "
                "must be unique."
            )
            % {
                "enz": enzyme_obj.__name__,
                "n": len(sites),
                "pos": ", ".join(str(p + 1) for p in sites[:10]),
            }
        )
    else:
        site_pos = sites[0] + 1
        insert_end = polya_start + polya_len
        if sites[0] < insert_end:
            problems.append(
                _(
                    "The %(enz)s site at position %(pos)d lies inside the insert (5′ UTR to "
                    "poly(A), positions 1..%(end)d); it must lie after the poly(A)."
                )
                % {"enz": enzyme_obj.__name__, "pos": site_pos, "end": insert_end}
            )
    if problems:
        raise _bad(" ".join(problems))
    return ConstructReport(
        length=n,
        gc_percent=gc,
        alphabet=alphabet,
        orf_start=start + 1,
        orf_end=end,
        orf_codons=codons,
        utr5_length=start,
        utr3_length=utr3,
        polya_start=polya_start + 1,
        polya_length=polya_len,
        enzyme=enzyme_obj.__name__,
        site_position=site_pos,
        protein_length=codons - 1,
    )


@functools.cache
def _enzymes() -> dict[str, Any]:
    from Bio.Restriction import AllEnzymes

    return {str(e): e for e in AllEnzymes}


def _enzyme(name: str) -> Any:
    name = (name or "").strip()
    enzyme = _enzymes().get(name)
    if enzyme is None:
        raise DomainError(
            _("'%(v)s' is not a restriction enzyme known to Bio.Restriction (e.g. XbaI, BspQI).")
            % {"v": name[:30]},
            field="enzyme",
        )
    return enzyme


def lipid_composition(lipids: dict[str, Any] | None) -> dict[str, float]:
    """Validate an LNP's lipid composition in mol %: ionizable, helper, cholesterol, PEG; the
    four sum to 100 (± 0.01)."""
    keys = ("ionizable", "helper", "cholesterol", "peg")
    lipids = lipids or {}
    out: dict[str, float] = {}
    for k in keys:
        v = lipids.get(k)
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise DomainError(
                _("Lipid composition: %(k)s mol %% '%(v)s' is not a number.") % {"k": k, "v": v},
                field="lipids",
            ) from None
        if not (0 < x <= 100):
            raise DomainError(
                _("Lipid composition: %(k)s is %(v)g mol %%; give a value above 0 and at most 100.")
                % {"k": k, "v": x},
                field="lipids",
            )
        out[k] = x
    extra = set(lipids) - set(keys) - {"ionizable_name", "helper_name", "peg_name"}
    if extra:
        raise DomainError(
            _("Lipid composition: unknown component %(k)s.") % {"k": ", ".join(sorted(extra))},
            field="lipids",
        )
    total = sum(out.values())
    if abs(total - 100.0) > 0.01:
        raise DomainError(
            _(
                "Lipid composition sums to %(t)g mol %%; ionizable, helper, cholesterol and PEG "
                "must sum to 100."
            )
            % {"t": round(total, 4)},
            field="lipids",
        )
    for k in ("ionizable_name", "helper_name", "peg_name"):
        if lipids.get(k):
            out[k] = str(lipids[k])[:80]  # type: ignore[assignment]
    return out
