"""Cancer site groups for CAN_COD codes, from the codes' terms by ordered term rules.

The groups are coarse on purpose (breast, lung, colorectal, prostate, haematological, melanoma, ...):
they decide whether two diagnosis codes describe the same tumour (the duplicate check) and give the
breakdowns in reports. `build_sites()` applies the rules to the bundled `codes/data/CAN_COD.csv` and
writes `quality/data/cancer_sites.csv` (code, site, method); `python -m qof_cancer.quality.sites`
rebuilds it, and a test keeps the committed file in step with CAN_COD. The rules are described for
users in docs/data-quality.md.

How a term is classified, first match wins:
1. "History of" / "Personal history of" is removed; the rest is classified as below.
2. A metastasis or secondary whose term names where it came from ("... from malignant tumour of
   bladder", "... by direct extension from rectum") takes the site of that primary (method
   `metastasis_from`). Otherwise a metastasis takes the site of its histology where that names one
   (metastatic melanoma, lymphoma, osteosarcoma, ...; method `histology`), and else the group
   `secondary` (method `secondary`): the primary site is not in the term.
3. Histology that defines a group wherever it arises (method `histology`): haematological
   (lymphoma, leukaemia, myeloma, ...), melanoma, mesothelioma, sarcoma (bone and soft tissue).
4. Organ words (method `organ`), in the order of `ORGAN_RULES`: the more specific first (cervix before
   uterus, anus before skin, head and neck before lung).
5. Terms that name no site ("Malignant neoplastic disease", "carcinoma of unknown primary",
   "overlapping ... of ill-defined site") are `unspecified` (method `unspecified`).
6. Anything else is `other` (method `default`).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from qof_cancer.codes import BUNDLED_DIR

__all__ = [
    "SITES",
    "SITES_FILE",
    "SiteMatch",
    "build_sites",
    "classify_term",
    "is_history_term",
    "load_sites",
    "write_sites",
]

SITES_FILE = Path(__file__).parent / "data" / "cancer_sites.csv"
CAN_COD_FILE = BUNDLED_DIR / "CAN_COD.csv"

_HISTORY = re.compile(r"^\s*(?:personal\s+)?history\s+of\s+", re.IGNORECASE)
_TAG = re.compile(r"\s*\((?:disorder|finding|situation|morphologic abnormality|navigational concept)\)\s*$")
_METASTATIC = re.compile(
    r"metasta|secondary|by direct extension|by separate|carcinomatosis|disseminated|spread to|"
    r"involving .* by ",
    re.IGNORECASE,
)
_FROM = re.compile(r"\bfrom\s+(.*)$", re.IGNORECASE)
_TO = re.compile(r"^(.*?)\s+to\s+", re.IGNORECASE)
_OF = re.compile(r"\b(of|involving)\b", re.IGNORECASE)


def _rx(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words), re.IGNORECASE)


# Histology that defines the group wherever the tumour is (checked before organs).
HISTOLOGY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "haematological",
        _rx(
            r"lymphoma",
            r"leuk(a)?emi",
            r"myeloma",
            r"plasmacytoma",
            r"plasma cell",
            r"myelodysplas",
            r"myeloproliferative",
            r"hodgkin",
            r"mycosis fungoides",
            r"s[eé]zary",
            r"histiocyt",
            r"mast cell",
            r"mastocyt",
            r"heavy chain disease",
            r"waldenstr",
            r"macroglobulin",
            r"reticulosarcoma",
            r"lymphosarcoma",
            r"reticuloendotheliosis",
            r"letterer",
            r"burkitt",
            r"hematolog|haematolog",
            r"lymphoproliferative",
            r"polycythemia vera|polycythaemia vera",
            r"thrombocyth(a)?emia",
            r"myelofibrosis",
            r"myelomonocytic",
            r"langerhans",
            r"lymphoid",
            r"myeloid",
            r"lymphoblastic",
            r"blast crisis|blastic",
            r"chloroma",
            r"myelosis",
            r"immunoproliferative",
            r"refractory an(a)?emia",
            r"refractory (neutropenia|thrombocytopenia|cytopenia)",
            r"hypereosinophilic",
            r"dendritic cell",
            r"emberger",
            r"eosinophilic granuloma",
            r"hand-sch",
            r"lethal midline granuloma",
            r"parapsoriasis",
            r"pagetoid reticulosis",
            r"richter",
            r"white blood cell",
            r"paraprotein",
            r"angioendotheliomatosis",
        ),
    ),
    ("melanoma", _rx(r"melanoma", r"lentigo maligna")),
    ("mesothelioma", _rx(r"mesothelioma")),
    (
        "sarcoma",
        _rx(
            r"(?<!carcino)sarcoma",
            r"chordoma",
            r"giant cell tumou?r of bone",
            r"gastrointestinal stromal",
            r"\bgist\b",
            r"desmoplastic small round cell",
            r"stewart-treves",
            r"adamantinoma",
            r"hemangioendothelioma|haemangioendothelioma",
            r"nerve sheath",
            r"triton",
            r"malignant granular cell",
            r"perivascular epithelioid",
            r"rhabdoid",
            r"lipomatous",
            r"fibromatous",
            r"fibrous tissue",
            r"neuroepithelioma",
        ),
    ),
)

# Organ words, most specific first.
ORGAN_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("breast", _rx(r"breast", r"nipple", r"areola", r"mammary", r"en cuirasse")),
    ("prostate", _rx(r"prostat")),
    (
        "testis",
        _rx(
            r"test(is|es|icular)",
            r"seminoma",
            r"spermatic cord",
            r"epididym",
            r"seminal vesicle",
            r"vas deferens",
            r"yolk sac",
        ),
    ),
    ("penis", _rx(r"penis", r"penile", r"glans", r"prepuce", r"scrot", r"male genital")),
    ("cervix", _rx(r"cervix", r"cervical stump", r"cervical canal", r"endocervi", r"exocervi")),
    (
        "uterus",
        _rx(
            r"uter(us|i|ine)",
            r"endometri",
            r"myometri",
            r"corpus",
            r"placenta",
            r"chorio(n)?carcinoma",
            r"hydatidiform",
            r"parametri",
            r"broad ligament",
            r"round ligament",
            r"adenoma malignum",
        ),
    ),
    ("ovary", _rx(r"ovar(y|ies|ian)", r"fallopian", r"krukenberg")),
    (
        "vulva_vagina",
        _rx(
            r"vulva",
            r"vagina",
            r"clitoris",
            r"labi(um|a) (majus|minus|majora|minora)",
            r"genital labia",
            r"bartholin",
            r"vestibular gland",
            r"gartner",
        ),
    ),
    ("anus", _rx(r"\banus\b", r"\banal\b", r"perianal", r"anorectal", r"cloacogenic", r"anogenital")),
    (
        "colorectal",
        _rx(
            r"colon",
            r"colorectal",
            r"rect(um|al|osigmoid)",
            r"c(a)?ecum",
            r"retroc(a)?ecal",
            r"sigmoid",
            r"appendi(x|ceal)",
            r"large (intestine|bowel)",
            r"\bbowel\b",
            r"hepatic flexure",
            r"splenic flexure",
            r"ileoc(a)?ecal",
            r"adenomatous polyp",
            r"familial adenomatous polyposis",
        ),
    ),
    (
        "oesophagus",
        _rx(r"o?esophag", r"esophagogastric", r"oesophagogastric", r"siewert"),
    ),
    ("stomach", _rx(r"stomach", r"gastric", r"pylor", r"antrum", r"cardia\b")),
    ("small_intestine", _rx(r"small (intestine|bowel)", r"duoden", r"jejun", r"\bileum\b", r"meckel")),
    (
        "pancreas",
        _rx(
            r"pancrea",
            r"islet cell",
            r"insulinoma",
            r"glucagonoma",
            r"gastrinoma",
            r"vipoma",
            r"vasoactive intestinal peptide",
            r"somatostatinoma",
        ),
    ),
    (
        "liver_biliary",
        _rx(
            r"liver",
            r"hepat",
            r"cholangio",
            r"bile duct",
            r"biliary",
            r"gall ?bladder",
            r"ampulla",
            r"klatskin",
            r"cystic duct",
            r"sphincter of oddi",
        ),
    ),
    (
        "other_digestive",
        _rx(
            r"digestive",
            r"gastrointestinal",
            r"intestin",
            r"periton",
            r"omentum",
            r"mesenter",
            r"pouch of douglas",
            r"spleen",
            r"splenic",
            r"ascites",
        ),
    ),
    ("kidney", _rx(r"kidney", r"(?<!ad)renal", r"nephr", r"wilms")),
    ("bladder", _rx(r"bladder", r"urachus", r"ureter", r"urethra", r"urothelial", r"urinary")),
    (
        "brain_cns",
        _rx(
            r"brain",
            r"cerebr",
            r"cerebell",
            r"glioma",
            r"glioblastoma",
            r"astrocytoma",
            r"ependym",
            r"oligodendroglioma",
            r"medulloblastoma",
            r"medulloepithelioma",
            r"craniopharyng",
            r"pineoblastoma",
            r"mening",
            r"spinal cord",
            r"(dura|arachnoid|pia) mater",
            r"central nervous",
            r"cranial nerve",
            r"(abducens|accessory|acoustic|facial|hypoglossal|oculomotor|olfactory|optic|trigeminal|"
            r"trochlear|vagus|vestibulocochlear|acoustic vestibular) nerve",
            r"olfactory (bulb|tract)",
            r"(frontal|temporal|parietal|occipital) lobe",
            r"thalam",
            r"basal ganglia",
            r"globus pallidus",
            r"hippocamp",
            r"\buncus\b",
            r"medulla oblongata",
            r"\bpons\b",
            r"pontine",
            r"tapetum",
            r"neuroectodermal",
            r"cauda equina",
            r"nervous system",
        ),
    ),
    ("thyroid", _rx(r"thyro", r"parafollicular")),
    (
        "head_and_neck",
        _rx(
            r"\blips?\b",
            r"labial",
            r"tongue",
            r"mouth",
            r"\boral\b",
            r"\bgum\b",
            r"gingiv",
            r"palat",
            r"buccal",
            r"\bcheek\b",
            r"pharyn",
            r"laryn",
            r"epiglott",
            r"vocal cord",
            r"false cord",
            r"glott",
            r"tonsil",
            r"fauces",
            r"adenoids?(?! cystic)",
            r"waldeyer",
            r"salivary",
            r"parotid",
            r"submandibular",
            r"submaxillary",
            r"sublingual",
            r"nasal",
            r"\bnose\b",
            r"naris",
            r"turbinate",
            r"sinus",
            r"uvula",
            r"vallecula",
            r"p[iy]riform",
            r"postcricoid",
            r"commissure",
            r"frenum",
            r"retromolar",
            r"alveol(us|ar ridge)",
            r"odontogenic",
            r"\bjaw\b",
            r"maxilla",
            r"mandible",
            r"branchial",
            r"head and(/or)? neck",
            r"head, neck",
            r"\bear\b",
            r"auricle",
            r"auditory",
            r"eustachian",
            r"tympanic",
            r"middle ear",
            r"mastoid",
            r"arytenoid",
        ),
    ),
    (
        "lung",
        _rx(
            r"lung",
            r"bronch",
            r"trachea",
            r"\bcarina\b",
            r"pulmonary",
            r"small cell carcinoma",
            r"pleura",
            r"pancoast",
            r"respiratory",
            r"intrathoracic organ",
        ),
    ),
    (
        "eye",
        _rx(
            r"\beye\b",
            r"ocular",
            r"orbit",
            r"retina",
            r"retinoblastoma",
            r"choroid",
            r"ciliary",
            r"\biris\b",
            r"conjunctiva",
            r"cornea",
            r"sclera",
            r"crystalline lens",
            r"lacrimal",
            r"uvea",
            r"eyelid",
            r"canthus",
            r"meibomian",
            r"moll'?s? gland",
        ),
    ),
    (
        "other_endocrine",
        _rx(
            r"adrenal",
            r"pituitary",
            r"thym(us|oma|ic)",
            r"pineal",
            r"paragangli",
            r"ph(a)?eochromocytoma",
            r"endocrine",
            r"craniopharyngioma",
            r"carcinoid",
            r"(carotid|aortic|para-aortic|coccygeal) body",
            r"glomus jugulare",
        ),
    ),
    (
        "skin_other",
        _rx(
            r"skin",
            r"cutaneous",
            r"merkel",
            r"eccrine",
            r"apocrine",
            r"sweat gland",
            r"sebaceous",
            r"adnexal",
            r"dermal",
            r"dermis",
            r"\bscalp\b",
            r"pilomatri",
            r"trichilemmal",
            r"nail apparatus",
            r"gorlin",
            r"acanthosis nigricans",
            r"pilonidal",
            r"basal cell carcinoma",
        ),
    ),
    (
        "sarcoma",
        _rx(
            r"\bbones?\b",
            r"skeletal",
            r"musculoskeletal",
            r"cartilage",
            r"connective",
            r"soft tissue",
            r"\bmuscle",
            r"blood vessel",
            r"great vessels",
            r"vertebr",
            r"\bribs?\b",
            r"sternum",
            r"xiphoid",
            r"clavicle",
            r"scapula",
            r"acromion",
            r"humerus",
            r"radius",
            r"ulna",
            r"trapezium",
            r"femur",
            r"tibia",
            r"fibula",
            r"patella",
            r"talus",
            r"calcane",
            r"cuboid",
            r"cuneiform",
            r"navicular",
            r"phalan",
            r"\bpelvis\b",
            r"ilium",
            r"ischium",
            r"pubis",
            r"sacrum",
            r"coccyx",
            r"\bskull\b",
            r"vomer",
            r"retroperitone",
            r"peripheral nerv",
            r"spinal nerve",
            r"autonomic",
            r"diaphragm",
            r"\bheart\b",
            r"cardium",
            r"mesothelial",
        ),
    ),
    # Named sites and tumours outside the groups above (germ cell tumours outside the testis, ...).
    (
        "other",
        _rx(
            r"neuroblastoma",
            r"germ cell",
            r"teratoma",
            r"germinoma",
            r"polyembryoma",
            r"embryonal carcinoma",
            r"mediastin\w*",
            r"rectovesical",
        ),
    ),
)

_UNSPECIFIED = _rx(
    r"^malignant neoplastic disease",
    r"^malignant (tumou?r|neoplasm)$",
    r"^(primary )?malignant neoplasm(, primary)?$",
    r"^cancer$",
    r"^carcinoma$",
    r"unknown (primary|origin|site)",
    r"unspecified site",
    r"ill-defined",
    r"multiple (sites|primary)",
    r"malignancy",
    r"locally advanced",
    r"local tumou?r spread",
    r"cancer detected",
    r"second primary",
    r"(recurrent|relapsing|refractory) malignant neoplas",
    r"malignant neoplas(m|tic disease) (after|with|co-occurrent|in )",
    r"due to malignant neoplastic disease",
    r"additional neoplasm",
    r"tumou?r lysis",
    r"gene fusion",
    r"microsatellite",
    r"\b(thorax|thoracic cavity|abdomen|intra-?abdominal|trunk|pelvis|limbs?|back|flank|shoulder|thigh|"
    r"foot|feet|hand|forearm|upper arm|lower leg|axilla|inguinal|supraclavicular|presacral|sacrococcygeal|"
    r"perineum|chest wall|buttock|hip|ankle|face|head|neck|genital (organ|structure))\b",
)

# A term with no "of <site>" that no histology or organ rule placed names no site at all.
_NO_SITE = re.compile(r"^(?!.*\b(of|in|to)\b).*$", re.IGNORECASE)

SITES: tuple[str, ...] = tuple(
    dict.fromkeys(
        [name for name, _ in HISTOLOGY_RULES]
        + [name for name, _ in ORGAN_RULES]
        + ["secondary", "unspecified", "other"]
    )
)


@dataclass(frozen=True)
class SiteMatch:
    """The site group of one term and how it was decided (`method:pattern`)."""

    site: str
    method: str


def is_history_term(term: str) -> bool:
    """True for "History of ..." and "Personal history of ..." terms: a past cancer, not a new one."""
    return bool(_HISTORY.match(term or ""))


def _first(rules: Iterable[tuple[str, re.Pattern[str]]], text: str) -> tuple[str, str] | None:
    for site, pattern in rules:
        found = pattern.search(text)
        if found:
            return site, found.group(0).lower()
    return None


def classify_term(term: str) -> SiteMatch:
    """The site group of a CAN_COD term (see the module docstring for the rules)."""
    text = _TAG.sub("", _HISTORY.sub("", term or "")).strip()
    if not text:
        return SiteMatch("unspecified", "unspecified:no term")
    if _METASTATIC.search(text):
        source = _FROM.search(text)
        if source:
            hit = _first(HISTOLOGY_RULES, source.group(1)) or _first(ORGAN_RULES, source.group(1))
            if hit:
                return SiteMatch(hit[0], f"metastasis_from:{hit[1]}")
        # "Metastatic <tumour> to <site>": the tumour may name its primary; the site after "to" does not.
        before = _TO.match(text)
        primary = before.group(1) if before else text
        hit = _first(HISTOLOGY_RULES, primary)
        if hit:
            return SiteMatch(hit[0], f"histology:{hit[1]}")
        # Without "to", "of <site>" names where the secondary is ("Secondary malignant neoplasm of liver").
        if before or not _OF.search(primary):
            hit = _first(ORGAN_RULES, primary)
            if hit:
                return SiteMatch(hit[0], f"metastasis_of:{hit[1]}")
        return SiteMatch("secondary", "secondary:primary site not named")
    hit = _first(HISTOLOGY_RULES, text)
    if hit:
        return SiteMatch(hit[0], f"histology:{hit[1]}")
    hit = _first(ORGAN_RULES, text)
    if hit:
        return SiteMatch(hit[0], f"organ:{hit[1]}")
    found = _UNSPECIFIED.search(text)
    if found:
        return SiteMatch("unspecified", f"unspecified:{found.group(0).lower()}")
    if _NO_SITE.match(text):
        return SiteMatch("unspecified", "unspecified:no site in the term")
    return SiteMatch("other", "default:no rule matched")


def _read_terms(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [(row["code"].strip(), (row.get("term") or "").strip()) for row in csv.DictReader(fh)]


def build_sites(can_cod: Path = CAN_COD_FILE) -> list[tuple[str, str, str]]:
    """(code, site, method) for every code of a CAN_COD file with a `term` column, in code order."""
    rows = []
    for code, term in _read_terms(can_cod):
        match = classify_term(term)
        rows.append((code, match.site, match.method))
    return sorted(rows, key=lambda r: (len(r[0]), r[0]))


def write_sites(path: Path = SITES_FILE, can_cod: Path = CAN_COD_FILE) -> Path:
    """Write the site file for `can_cod` (the bundled CAN_COD by default)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "site", "method"])
        writer.writerows(build_sites(can_cod))
    return path


@cache
def load_sites() -> dict[str, str]:
    """code -> site from the committed file."""
    with SITES_FILE.open(newline="", encoding="utf-8") as fh:
        return {row["code"]: row["site"] for row in csv.DictReader(fh)}


if __name__ == "__main__":  # python -m qof_cancer.quality.sites [OUT]
    out = write_sites(Path(sys.argv[1]) if len(sys.argv) > 1 else SITES_FILE)
    print(f"wrote {out}")
