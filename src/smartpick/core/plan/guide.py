"""The guide's numbers and groups, and its judgments of a profile ("low scores", "below strong").

Every value quotes the guide SmartPick grew from ("Strategic Low Step Score Guide for Non-US Citizen
IMGs"); docs/advisor.md lists them with the guide's lines.
"""

from __future__ import annotations

from smartpick.core.lists.economics import GUIDE_RANGE
from smartpick.core.plan.standing import STEP1_COMPETITIVE, STEP2CK_AVERAGE, STEP2CK_STRONG
from smartpick.core.profile import ApplicantProfile

# The guide's competitiveness groups ("Specialty-Specific Flexibility").
HARDER = (
    "Dermatology",
    "Plastic Surgery",
    "Neurological Surgery",
    "Orthopaedic Surgery",
    "Radiation Oncology",
    "Otolaryngology",
)
MODERATE = (
    "Internal Medicine",
    "Pediatrics",
    "Family Medicine",
    "Psychiatry",
    "Pathology",
    "Neurology",
    "Physical Medicine and Rehabilitation",
)
OPEN_TO_IMGS = ("Internal Medicine", "Family Medicine", "Psychiatry", "Neurology", "Pathology")
# Second specialties the guide names for very low scores ("IM + FM or IM + Neurology"); for other
# first choices, the specialties it calls "often more open to IMGs".
SECOND_SPECIALTY = {
    "Internal Medicine": ("Family Medicine", "Neurology"),
    "Family Medicine": ("Internal Medicine",),
    "Neurology": ("Internal Medicine",),
    "Psychiatry": ("Family Medicine",),
    "Pediatrics": ("Family Medicine",),
    "Pathology": ("Internal Medicine",),
}
OPEN_REGIONS = ("Midwest", "South")  # "Less popular geographic regions (Midwest, some Southern"
# "Many successful IMGs with low Step 1 or Step 2 CK scores submit 60-120": one place, the list's.
GUIDE_VOLUME = GUIDE_RANGE
STEP2CK_OVER_STEP1 = (10, 15)  # "Aim to outperform your Step 1 by at least 10-15 points"
STEP3_TARGET_FLOOR = 230  # the guide's sample plan: "Schedule Step 3 ... aiming for >230"
STEP3_PREP_MONTHS = (6, 9)  # "Schedule Step 3 within 6-9 months"
USCE_TARGET_HANDS_ON_MONTHS = 4  # "Secure 2-4 months of USCE", hands-on preferred
LETTERS_TARGET = 3  # "At least 2-3 LoRs from US faculty ... in the specialty"
LONG_SINCE_GRADUATION_YEARS = 5  # our threshold: the guide names no number (docs/advisor.md)
IMG_TYPES = ("non_us_img", "us_img")  # the applicants the guide is written for


def is_img(profile: ApplicantProfile) -> bool:
    """True for international graduates (US-citizen or not)."""
    return profile.applicant_type in IMG_TYPES


def low_scores(profile: ApplicantProfile) -> bool:
    """True when the guide would call the record low (Step 2 CK < 225, Step 1 < 215, a fail)."""
    s2 = profile.step2ck
    s1 = profile.step1_score
    s1_low = profile.step1_status == "score" and s1 is not None and s1 < STEP1_COMPETITIVE
    return (s2 is not None and s2 < STEP2CK_AVERAGE) or s1_low or profile.failed_attempts > 0


def below_strong(profile: ApplicantProfile) -> bool:
    """True when Step 2 CK is under the guide's "strong" 240 (or missing)."""
    return profile.step2ck is None or profile.step2ck < STEP2CK_STRONG


def letters_in_first(profile: ApplicantProfile) -> int:
    """US letters from the first target specialty."""
    return profile.letters_in(profile.specialties[0])


def competitiveness_group(specialty: str) -> str:
    """The guide's group for a specialty: 'harder', 'moderate' or 'not grouped by the guide'."""
    if specialty in HARDER:
        return "harder: scores heavily scrutinized"
    if specialty in OPEN_TO_IMGS:
        return "moderately competitive; often more open to IMGs"
    if specialty in MODERATE:
        return "moderately competitive, but still possible with strong profiles"
    return "not grouped by the guide (see its Charting Outcomes match rate)"
