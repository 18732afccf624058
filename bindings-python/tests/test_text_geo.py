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
    geo = acikkapi.Geography()
    ps = geo.provinces()
    assert len(ps) == 81
    assert sum(p.population_2023 for p in ps) == 85_372_377
    assert geo.province("sanliurfa").name == "Şanlıurfa"
    assert geo.province(34).name == "İstanbul"
    denizli = geo.districts("DENİZLİ")
    assert len(denizli) == 19 and "Merkezefendi" in denizli
    assert len(geo.districts(34)) == 39
    assert geo.district(20, "merkezefendi") == "Merkezefendi"
    assert {"plate", "name", "population_2023"} <= set(geo.records()[0])


def test_errors_are_typed_and_turkish():
    geo = acikkapi.Geography()
    with pytest.raises(acikkapi.NotFoundError, match="bilinmeyen il"):
        geo.districts("Atlantis")
    with pytest.raises(LookupError):
        geo.district(20, "Kadıköy")
    assert issubclass(acikkapi.NotFoundError, acikkapi.AcikKapiError)


def test_taxonomy():
    tax = acikkapi.Taxonomy()
    assert len(tax.headings) == 17
    assert 320 <= len(tax.categories) <= 335
    assert tax.category("SAGLIK.RANDEVU")["heading"] == "SAGLIK"
    assert tax.suggest("MHRS'den randevu alamıyorum")[0]["code"] == "SAGLIK.RANDEVU"
    with pytest.raises(acikkapi.NotFoundError):
        tax.category("YOK.BOYLE")
