"""Who the scheme names (002/ZL 一, §二): the assistant it pays, the key-account manager who leads
them, the marketing manager who rates both items of the assessment table."""

from __future__ import annotations

from kamkit.plugin import Names

ASSISTANT = "assistant"
KEY_ACCOUNT_MANAGER = "key_account_manager"
MARKETING_MANAGER = "marketing_manager"

ROLES = {
    ASSISTANT: Names("大客户经理助理", "key-account manager's assistant"),
    KEY_ACCOUNT_MANAGER: Names("大客户经理", "key-account manager"),
    MARKETING_MANAGER: Names("营销经理", "marketing manager"),
}
# 002/ZL 一: the assistant reports to the key-account manager; the marketing manager rates (二)
LADDER = (ASSISTANT, KEY_ACCOUNT_MANAGER, MARKETING_MANAGER)
