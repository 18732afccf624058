import pytest

import acikkapi


def test_turkish_casing():
    assert acikkapi.upper_tr("istanbul ılıca") == "İSTANBUL ILICA"
    assert acikkapi.lower_tr("DİYARBAKIR") == "diyarbakır"
    # Python's own str methods get the dotless/dotted i wrong; the library does not.
    assert "I".lower() != "ı" and acikkapi.lower_tr("I") == "ı"


def test_search_key_and_sorting():
    assert acikkapi.search_key("ŞANLIURFA") == acikkapi.search_key("sanliurfa") == "sanliurfa"
    assert acikkapi.sorted_tr(["Çorum", "Ceyhan", "İzmir", "Iğdır"]) == ["Ceyhan", "Çorum", "Iğdır", "İzmir"]


def test_geography():
    ps = acikkapi.provinces()
    assert len(ps) == 81
    assert sum(p["population_2023"] for p in ps) == 85_372_377
    denizli = acikkapi.districts("DENİZLİ")
    assert len(denizli) == 19 and "Merkezefendi" in denizli
    assert len(acikkapi.districts("34")) == 39


def test_errors_are_typed_and_turkish():
    with pytest.raises(acikkapi.NotFoundError, match="bilinmeyen il"):
        acikkapi.districts("Atlantis")
    assert issubclass(acikkapi.NotFoundError, acikkapi.AcikKapiError)
