"""The publication's one formatter: es-EC numbers and dates (Babel), counts in their plural form,
OGP's labels and countries in Spanish, a value no vocabulary knows kept as it came."""

from __future__ import annotations

from datetime import date

import pytest

from exports.formatting import count, long_date, month_name, number, ogp_label, percent, place_name, points


@pytest.mark.parametrize(
    "n, noun, lang, expected",
    [
        (0, "commitment", "es", "0 compromisos"),
        (1, "commitment", "es", "1 compromiso"),
        (2, "commitment", "es", "2 compromisos"),
        (1, "delayed", "es", "1 retrasado"),
        (3, "delayed", "es", "3 retrasados"),
        (1, "month", "es", "1 mes"),
        (1, "opened_government", "es", "1 abrió el gobierno o dio resultados notables"),
        (1, "commitment", "en", "1 commitment"),
        (5, "milestone", "en", "5 milestones"),
    ],
)
def test_counts_take_the_plural_form_of_their_language(n, noun, lang, expected):
    assert count(n, noun, lang) == expected


def test_numbers_and_dates_read_the_same_in_the_report_and_the_site():
    assert (number(1234.5), percent(24.14), points(1.0), points(-2.34)) == (
        "1.234,5",
        "24,1\u00a0%",
        "+1,0 punto",
        "−2,3 puntos",
    )
    assert (long_date(date(2023, 11, 30)), month_name(date(2023, 11, 1))) == ("30/11/2023", "noviembre de 2023")
    assert (number(1234.5, lang="en"), long_date(date(2023, 11, 30), "en"), month_name(date(2023, 11, 1), "en")) == (
        "1,234.5",
        "30 Nov 2023",
        "November 2023",
    )
    assert number(None) == percent(None) == long_date(None) == "—"


def test_ogp_labels_and_places_in_spanish_and_unknown_values_as_they_came():
    assert [ogp_label(v) for v in ("Limited", "Not started", "No Notable Results", "quarterly")] == [
        "Limitado",
        "No iniciado",
        "Sin resultados notables",
        "trimestral",
    ]
    assert ogp_label("Partially Complete") == "Partially Complete", "never mapped to a neighbouring label"
    assert ogp_label("Limited", "en") == "Limited"
    assert place_name("Paris, France") == "Paris, Francia"
    assert place_name("Republic of Korea") == "Corea del Sur"
    assert place_name("Scotland, United Kingdom") == "Escocia, Reino Unido"
    assert place_name("Cuenca, Ecuador") == "Cuenca, Ecuador"
    assert place_name("Atlantis") == "Atlantis"


def test_every_value_of_ogps_vocabularies_and_every_frequency_has_its_spanish_label():
    import csv

    from exports.formatting import LABELS_SEED

    labels = {row["canonical_value"].lower() for row in csv.DictReader(LABELS_SEED.open(encoding="utf-8"))}
    missing = set()
    for seed in sorted(LABELS_SEED.parent.glob("ogp_irm_*.csv")):
        missing |= {
            f"{seed.stem}: {row['canonical_value']}"
            for row in csv.DictReader(seed.open(encoding="utf-8"))
            if row["canonical_value"].lower() not in labels
        }
    missing |= {f"frequency: {f}" for f in ("monthly", "quarterly", "yearly") if f not in labels}
    assert missing == set()


@pytest.mark.parametrize(
    "name, spanish",
    [
        ("Trinidad and Tobago", "Trinidad y Tobago"),
        ("Turkey", "Turquía"),
        ("UK", "Reino Unido"),
        ("USA", "Estados Unidos"),
        ("Jalisco, Mexico", "Jalisco, México"),
    ],
)
def test_ogps_own_spelling_of_a_country_is_found(name, spanish):
    assert place_name(name) == spanish
