from .agreements import Agreement, AgreementAcceptance
from .communication import (
    Announcement,
    AnnouncementRead,
    Idea,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from .onboarding import OnboardingPlan, OnboardingStep, PartnerOnboarding, PartnerOnboardingStep
from .organisations import (
    CustomPartnerType,
    KpiDefinition,
    KpiValue,
    Partner,
    PartnerDomain,
    PartnerStatus,
    PartnerStatusChange,
    PartnerType,
    Segment,
)
from .people import PartnerInvitation, PartnerMembership
from .recruitment import IdealPartnerCriterion, PartnerApplication, QualificationQuestion
from .tiers import Tier, TierChange, TierEvaluation, TierPolicy, TierRequirement

__all__ = [
    "Agreement",
    "AgreementAcceptance",
    "Announcement",
    "AnnouncementRead",
    "CustomPartnerType",
    "IdealPartnerCriterion",
    "Idea",
    "KpiDefinition",
    "KpiValue",
    "OnboardingPlan",
    "OnboardingStep",
    "Partner",
    "PartnerApplication",
    "PartnerDomain",
    "PartnerInvitation",
    "PartnerMembership",
    "PartnerOnboarding",
    "PartnerOnboardingStep",
    "PartnerStatus",
    "PartnerStatusChange",
    "PartnerType",
    "QualificationQuestion",
    "Segment",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
    "Tier",
    "TierChange",
    "TierEvaluation",
    "TierPolicy",
    "TierRequirement",
]
