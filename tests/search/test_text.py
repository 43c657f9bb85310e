"""The analyzer: Korean morphemes, light English stemming, synonyms."""

from __future__ import annotations

from bioproof.search import text


def test_korean_morphemes_drop_particles_and_endings() -> None:
    assert text.query_tokens("배지를 찾습니다") == ("배지",)
    assert text.query_tokens("세포배양 배지") == ("세포", "배양", "배지")


def test_a_word_without_content_morphemes_is_kept_whole() -> None:
    # Kiwi reads these names as an adjective with its ending and as an adverb (then 배지 after
    # 한결 as a verb): without the rule they would leave no token at all
    assert text.query_tokens("푸름 인산 완충액") == ("푸름", "인산", "완충", "액")
    assert text.query_tokens("한결 배지") == ("한결", "배지")
    assert text.query_tokens("멸균 필터를") == ("멸균", "필터")  # particles still go
    assert text.query_tokens("매우 빠른 필터를 찾습니다") == ("필터",)  # verbs, modifiers too


def test_a_query_is_analysed_word_by_word_as_documents_also_are() -> None:
    assert text.query_tokens("한빛 배지") == ("한빛", "배지")  # in context: 한빛 + 배 + 이 + 지
    document = text.document_text("한빛 세포배양 배지 A100").split()
    assert {"한빛", "세포", "배양", "배지"} <= set(document)
    for query in ["한빛 배지", "세진 배지", "누리 배지", "한빛 세포배양", "아라 CHO 배지"]:
        assert set(text.query_tokens(query)) <= set(text.document_text(f"{query} X12").split())


def test_a_name_that_kiwi_misreads_is_held_and_searched_whole() -> None:
    # names Kiwi does not know: 다온 → 다 (adverb) + 오 (verb) + ㄴ, no token at all; 아라 → 아
    # (interjection) + 라; 온새 → 온 (determiner) + 새
    assert [text.whole_word(w) for w in ["다온", "아라", "온새"]] == ["다온", "아라", "온새"]
    for word in ["배지를", "발효기", "빠른", "위한", "한빛", "매우", "세포배양", "CHO", "라"]:
        assert text.whole_word(word) is None  # particles, suffixes, verbs, known words
    assert {"다온", "아라"} <= set(text.plain_text("다온 CHO 배지 K12", "아라 배지").split())
    assert "다온" in text.document_text("설명", names=["다온 CHO 배지 K12"]).split()
    assert "다온" not in text.document_text("다온 CHO 배지 K12").split()  # names only
    # a query searches such a word whole where the index holds it
    assert text.query_tokens("다온 레진") == ("레진",)
    assert text.query_tokens("다온 레진", known=lambda w: True) == ("다온", "레진")
    assert text.query_tokens("아라 배지", known=lambda w: w == "아라") == ("아라", "배지")
    assert text.query_tokens("아라 배지", known=lambda w: False) == ("라", "배지")
    assert text.query_tokens("매우 빠른 필터를 찾습니다", known=lambda w: True) == ("필터",)
    # whatever Kiwi makes of a name, a query for it finds a document named so
    for brand in ["다온", "아라", "온새", "한빛", "세진", "푸름", "한결", "나래", "온새바이오"]:
        query = f"{brand} 배지"
        for known in (None, lambda w: True):
            found = set(text.query_tokens(query, known=known))
            assert found <= set(text.plain_text(f"{query} X12").split()), (query, found)


def test_english_is_lowercased_and_lightly_stemmed() -> None:
    assert text.query_tokens("Single-Use Bags") == ("single", "use", "bag")
    assert text.stem("assemblies") == "assembly"
    assert text.stem("process") == "process"
    assert text.stem("media") == "media"
    assert text.query_tokens("the filters for CHO") == ("filter", "cho")


def test_codes_split_into_parts() -> None:
    assert text.query_tokens("PR-2026-0001") == ("pr", "2026", "0001")


def test_synonyms_expand_documents_both_ways() -> None:
    english = text.document_text("Alpha Feed Medium").split()
    assert "배지" in english
    korean = text.document_text("국산 레진").split()
    assert "resin" in korean
    bag = text.document_text("일회용 생물반응기 백").split()
    assert {"bag", "bioreactor", "single", "use", "disposable"} <= set(bag)
    assert "bag" not in text.document_text("백신 원료").split()  # 백 only as its own word


def test_names_are_analysed_per_part() -> None:
    tokens = text.plain_text("세포배양 배지", "Cell culture media").split()
    assert {"세포", "배양", "배지", "cell", "culture", "media"} <= set(tokens)


def test_empty_and_noise() -> None:
    assert text.query_tokens("") == ()
    assert text.query_tokens("!!! ...") == ()
    assert text.document_text(None, "") == ""
