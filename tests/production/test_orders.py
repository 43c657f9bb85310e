"""Orders and constructs: sequence checks with positions, LNP composition, quote → acceptance."""

from __future__ import annotations

import pytest

from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.signatures import signatures_for
from bioproof.production import actions, sequences
from bioproof.production.models import Construct, Order

from .conftest import LIPIDS, PASSWORD, UTR5, fasta, template


def check(seq: str, enzyme: str = "XbaI") -> sequences.ConstructReport:
    return sequences.check_construct(seq, enzyme=enzyme)


def test_valid_template_report() -> None:
    seq = template()
    r = check(seq)
    assert r.orf_start == len(UTR5) + 1
    assert r.orf_codons == 152  # ATG + 150 + stop
    assert r.polya_length == 100
    assert r.site_position == seq.index("TCTAGA") + 1
    assert r.alphabet == "DNA"
    assert 30 <= r.gc_percent <= 70


def test_rna_alphabet_accepted() -> None:
    assert check(template().replace("T", "U").replace("UCUAGA", "UCUAGA")).alphabet == "RNA"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s[:100] + "N" + s[101:], "Position 101: 'N'"),
        (lambda s: s[:50] + "X" + s[51:], "Position 51: 'X' is not a nucleotide"),
        (lambda s: s.replace("T", "U", 1), "mixes T"),
        (lambda s: template(polya=30), "Encoded poly(A) of 30 nt"),
        (lambda s: template(tail="GCGGCCGC"), "No XbaI site"),
        (lambda s: template(tail="TCTAGAGCTCTAGA"), "XbaI cuts at 2 sites"),
        (lambda s: template(utr3="GCTGGTCTAGACTCC", tail="GCGGCC"), "lies inside the insert"),
        (lambda s: template(utr5="GCC"), "5′ UTR missing"),
        (lambda s: template(utr3="GC"), "3′ UTR missing"),
    ],
)
def test_sequence_problems_named_with_position(mutate, message: str) -> None:
    with pytest.raises(DomainError) as exc:
        check(mutate(template()))
    assert message in str(exc.value)


def test_genbank_cds_premature_stop_and_no_atg() -> None:
    seq = template()
    start = len(UTR5)
    bad = seq[: start + 30] + "TAG" + seq[start + 33 :]
    gb = _genbank(bad, start, start + 3 * 152)
    _name, raw, hints = sequences.read_sequence(gb, "x.gb")
    assert hints["cds"] == (start, start + 456)
    with pytest.raises(DomainError, match=f"Position {start + 31}: premature in-frame stop"):
        sequences.check_construct(raw, enzyme="XbaI", hints=hints)


def _genbank(seq: str, start: int, end: int) -> bytes:
    from io import StringIO

    from Bio import SeqIO
    from Bio.Seq import Seq
    from Bio.SeqFeature import FeatureLocation, SeqFeature
    from Bio.SeqRecord import SeqRecord

    rec = SeqRecord(Seq(seq), id="spike", name="spike", description="test")
    rec.annotations["molecule_type"] = "DNA"
    rec.features.append(SeqFeature(FeatureLocation(start, end, strand=1), type="CDS"))
    out = StringIO()
    SeqIO.write(rec, out, "genbank")
    return out.getvalue().encode()


def test_parsing_is_bounded() -> None:
    with pytest.raises(DomainError, match="larger than"):
        sequences.read_sequence(b">x\n" + b"A" * (sequences.MAX_BYTES + 1), "big.fa")
    two = fasta(template(), "a") + fasta(template(), "b")
    with pytest.raises(DomainError, match="more than one sequence record"):
        sequences.read_sequence(two, "two.fa")
    with pytest.raises(DomainError, match="neither FASTA"):
        sequences.read_sequence(b"hello", "x.txt")


def test_sbol3_accepted() -> None:
    import sbol3

    sbol3.set_namespace("https://example.org/bioproof")
    doc = sbol3.Document()
    doc.add(
        sbol3.Sequence("spike_seq", elements=template().lower(), encoding=sbol3.IUPAC_DNA_ENCODING)
    )
    data = doc.write_string(sbol3.SORTED_NTRIPLES).encode()
    _name, raw, _hints = sequences.read_sequence(data, "spike.nt")
    assert check(raw).polya_length == 100


def test_lipids_must_sum_to_100() -> None:
    assert sequences.lipid_composition(LIPIDS)["peg"] == 1.5
    with pytest.raises(DomainError, match="sums to 99"):
        sequences.lipid_composition({**LIPIDS, "peg": 0.5})


def test_order_flow_with_signature(accepted: Order, pp) -> None:
    assert accepted.status == "accepted"
    assert accepted.code.startswith("PO-")
    sig = signatures_for(accepted).get()
    assert sig.meaning == "approved" and sig.signer == pp["cust_signer"]


def test_bad_construct_leaves_nothing(order: Order, pp) -> None:
    before = Construct.objects.count()
    with pytest.raises(DomainError, match="Position"):
        actions.add_construct(
            by=pp["cust"],
            order=order,
            name="bad",
            filename="bad.fa",
            data=fasta(template()[:60] + "N" + template()[61:]),
            enzyme="XbaI",
            quantity_mg=1,
            formulation="naked",
        )
    with pytest.raises(DomainError, match="sums to"):
        actions.add_construct(
            by=pp["cust"],
            order=order,
            name="bad2",
            filename="b.fa",
            data=fasta(template()),
            enzyme="XbaI",
            quantity_mg=1,
            formulation="lnp",
            lipids={**LIPIDS, "helper": 20},
        )
    with pytest.raises(DomainError, match="not a restriction enzyme"):
        actions.add_construct(
            by=pp["cust"],
            order=order,
            name="bad3",
            filename="b.fa",
            data=fasta(template()),
            enzyme="Foo1",
            quantity_mg=1,
            formulation="naked",
        )
    assert Construct.objects.count() == before


def test_only_customer_adds_and_only_signatory_accepts(order: Order, pp) -> None:
    with pytest.raises(PolicyDenied):
        actions.add_construct(
            by=pp["b_admin"],
            order=order,
            name="x",
            filename="x.fa",
            data=fasta(template()),
            enzyme="XbaI",
            quantity_mg=1,
            formulation="naked",
        )
    actions.submit_order(by=pp["cust"], order=order)
    with pytest.raises(InvalidTransition):
        actions.accept_quote(by=pp["cust_signer"], order=order, password=PASSWORD)
    actions.quote_order(by=pp["op1"], order=order, amount_krw=1000, lead_days=10)
    with pytest.raises(PolicyDenied):
        actions.accept_quote(by=pp["cust"], order=order, password=PASSWORD)
    with pytest.raises(DomainError, match="Password is not correct"):
        actions.accept_quote(by=pp["cust_signer"], order=order, password="wrong")
    order.refresh_from_db()
    assert order.status == "quoted"
