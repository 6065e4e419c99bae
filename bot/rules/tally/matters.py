"""The matters of Civil Code art. 278 (items 1-9) and the approval each needs: items 6-8
SPECIAL, all others ORDINARY."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum, StrEnum
from types import MappingProxyType


class Matter(StrEnum):
    """How much approval an owners' decision needs (Civil Code art. 278, second paragraph)."""

    ORDINARY = "ordinary"
    """More than half (过半数) of the participating area and of the participating owners."""
    SPECIAL = "special"
    """At least 3/4 (四分之三以上) of the participating area and of the participating owners."""


class Art278Item(IntEnum):
    """The matters owners decide jointly, Civil Code art. 278 first paragraph, items 1-9.

    1. RULES_OF_PROCEDURE: 制定和修改业主大会议事规则
    2. MANAGEMENT_STATUTE: 制定和修改管理规约
    3. OWNERS_COMMITTEE: 选举业主委员会或者更换业主委员会成员
    4. PROPERTY_MANAGER: 选聘和解聘物业服务企业或者其他管理人
    5. USE_MAINTENANCE_FUND: 使用建筑物及其附属设施的维修资金
    6. RAISE_MAINTENANCE_FUND: 筹集建筑物及其附属设施的维修资金 (special)
    7. REBUILD: 改建、重建建筑物及其附属设施 (special)
    8. CHANGE_COMMON_PARTS_USE: 改变共有部分的用途或者利用共有部分从事经营活动 (special)
    9. OTHER_MAJOR_MATTER: 有关共有和共同管理权利的其他重大事项

    The Chinese wording of each item is :attr:`statute_zh`.
    """

    RULES_OF_PROCEDURE = 1
    MANAGEMENT_STATUTE = 2
    OWNERS_COMMITTEE = 3
    PROPERTY_MANAGER = 4
    USE_MAINTENANCE_FUND = 5
    RAISE_MAINTENANCE_FUND = 6
    REBUILD = 7
    CHANGE_COMMON_PARTS_USE = 8
    OTHER_MAJOR_MATTER = 9

    @property
    def statute_zh(self) -> str:
        """The item's wording in Civil Code art. 278."""
        return _ART_278_ZH[self]

    @property
    def matter(self) -> Matter:
        """Shorthand for :func:`matter_for`."""
        return matter_for(self)


_ART_278_ZH: Mapping[Art278Item, str] = MappingProxyType(
    {
        Art278Item.RULES_OF_PROCEDURE: "制定和修改业主大会议事规则",
        Art278Item.MANAGEMENT_STATUTE: "制定和修改管理规约",
        Art278Item.OWNERS_COMMITTEE: "选举业主委员会或者更换业主委员会成员",
        Art278Item.PROPERTY_MANAGER: "选聘和解聘物业服务企业或者其他管理人",
        Art278Item.USE_MAINTENANCE_FUND: "使用建筑物及其附属设施的维修资金",
        Art278Item.RAISE_MAINTENANCE_FUND: "筹集建筑物及其附属设施的维修资金",
        Art278Item.REBUILD: "改建、重建建筑物及其附属设施",
        Art278Item.CHANGE_COMMON_PARTS_USE: "改变共有部分的用途或者利用共有部分从事经营活动",
        Art278Item.OTHER_MAJOR_MATTER: "有关共有和共同管理权利的其他重大事项",
    }
)

_SPECIAL_ITEMS = frozenset(
    {
        Art278Item.RAISE_MAINTENANCE_FUND,
        Art278Item.REBUILD,
        Art278Item.CHANGE_COMMON_PARTS_USE,
    }
)


def matter_for(item: Art278Item | int) -> Matter:
    """The approval rule of an art. 278 item: items 6-8 are SPECIAL, all others ORDINARY.

    Using the maintenance fund (item 5) is ORDINARY; raising it (item 6) is SPECIAL. A plain
    ``int`` 1..9 is accepted; anything else raises :class:`ValueError`.
    """
    if isinstance(item, bool) or not isinstance(item, int):
        raise TypeError(f"item must be an Art278Item or int, got {type(item).__name__}")
    return Matter.SPECIAL if Art278Item(item) in _SPECIAL_ITEMS else Matter.ORDINARY
