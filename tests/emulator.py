"""The Bot API emulator the flow tests drive: it lives in the package now
(``bot.sandbox.emulator``, shared with ``residentbot sandbox``); this module keeps every name
the tests import from here, the private ones too."""

from bot.sandbox.emulator import *  # noqa: F403
from bot.sandbox.emulator.formatting import (  # noqa: F401
    _HTML_ENTITY,
    _HTML_NAMED,
    _HTML_TAGS,
    _MD2_NAMES,
    _MD2_RESERVED,
    _Builder,
    _close_html_tag,
    _EntityError,
    _html_unescape,
    _parse_html,
    _parse_markdown,
    _parse_markdown_v2,
    _trim,
    _utf16_len,
    format_text,
)
from bot.sandbox.emulator.protocol import (  # noqa: F401
    _CHAT_ACTIONS,
    _CONTENT_KEYS,
    _COPY_KEYS,
    _EDIT_METHODS,
    _INLINE_ACTIONS,
    _RAW_STRING_PARAMS,
    _SEND_METHODS,
    _TINY_JPEG,
    CALLBACK_ANSWER_LIMIT,
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    GET_FILE_LIMIT,
    NOT_MODIFIED,
    POLL_CONFLICT,
    QUERY_INVALID,
    TEXT_LIMIT,
    WEBHOOK_CONFLICT,
    BotAPIError,
    Call,
    ChatRef,
    JSONDict,
    SentMessage,
    UserRef,
    _as_int,
    _bad,
    _body_of,
    _Callback,
    _Ctx,
    _decode_field,
    _display_params,
    _FailRule,
    _image_size,
    _kind_of,
    _looks_like_image,
    _StoredFile,
    _Upload,
)
from bot.sandbox.emulator.server import (
    BotAPIEmulator,
)

__all__ = ["BotAPIEmulator", "BotAPIError", "Call", "SentMessage"]
