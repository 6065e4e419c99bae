"""Text formatting (parse_mode) like Telegram: the stored text is the plain text plus entities."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from bot.sandbox.emulator.protocol import JSONDict, _bad


class _EntityError(Exception):
    pass


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.offset = 0  # in UTF-16 code units
        self.entities: list[JSONDict] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.offset += _utf16_len(chunk)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.offset > start:
            self.entities.append({"type": kind, "offset": start, "length": self.offset - start})
            self.entities[-1].update(extra)

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode())

    def result(self) -> tuple[str, list[JSONDict]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


_HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def _html_unescape(value: str) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _HTML_NAMED:
            return _HTML_NAMED[name]
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        return chr(code) if 0 < code <= 0x10FFFF else match.group(0)

    return _HTML_ENTITY.sub(sub, value)


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    out = _Builder(text)
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            match = _HTML_ENTITY.match(text, i)
            if match:
                out.add(_html_unescape(match.group(0)))
                i = match.end()
                continue
        if char != "<":
            out.add(char)
            i += 1
            continue
        begin = i
        if i + 1 < n and text[i + 1] == "/":
            end = text.find(">", i)
            if end < 0:
                raise _EntityError(f"Unclosed end tag at byte offset {out.byte_offset(begin)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise _EntityError(f"Unexpected end tag at byte offset {out.byte_offset(begin)}")
            tag, start, tag_attrs = stack.pop()
            if name != tag:
                raise _EntityError(
                    f"Unmatched end tag at byte offset {out.byte_offset(begin)}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            _close_html_tag(out, stack, tag, start, tag_attrs)
            i = end + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise _EntityError(f"Unclosed start tag at byte offset {out.byte_offset(begin)}")
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise _EntityError(
                f'Unsupported start tag "{name}" at byte offset {out.byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise _EntityError(f"Unclosed start tag at byte offset {out.byte_offset(begin)}")
            if text[j] == ">":
                j += 1
                break
            k = j
            while k < n and not text[k].isspace() and text[k] not in "=>":
                k += 1
            attr = text[j:k].lower()
            j = k
            while j < n and text[j].isspace():
                j += 1
            value = ""
            if j < n and text[j] == "=":
                j += 1
                while j < n and text[j].isspace():
                    j += 1
                if j < n and text[j] in "\"'":
                    close = text.find(text[j], j + 1)
                    if close < 0:
                        raise _EntityError(
                            f"Unclosed start tag at byte offset {out.byte_offset(begin)}"
                        )
                    value = _html_unescape(text[j + 1 : close])
                    j = close + 1
                else:
                    k = j
                    while k < n and not text[k].isspace() and text[k] != ">":
                        k += 1
                    value = _html_unescape(text[j:k])
                    j = k
            attrs[attr] = value
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _EntityError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {out.byte_offset(begin)}'
            )
        stack.append((name, out.offset, attrs))
        i = j
    if stack:
        raise _EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html_tag(
    out: _Builder,
    stack: list[tuple[str, int, dict[str, str]]],
    tag: str,
    start: int,
    attrs: dict[str, str],
) -> None:
    kind = _HTML_TAGS[tag]
    if kind == "text_link":
        href = attrs.get("href", "")
        if href.startswith("tg://user?id="):
            with contextlib.suppress(ValueError):
                user_id = int(href.split("=", 1)[1])
                out.entity(
                    "text_mention", start, user={"id": user_id, "is_bot": False, "first_name": ""}
                )
            return
        if href:
            out.entity("text_link", start, url=href)
        return
    if kind == "code" and stack and stack[-1][0] == "pre":
        css_class = attrs.get("class", "")
        if css_class.startswith("language-"):
            stack[-1][2]["_language"] = css_class[len("language-") :]
            return
    if kind == "pre":
        language = attrs.get("_language")
        if language:
            out.entity("pre", start, language=language)
        else:
            out.entity("pre", start)
        return
    if kind == "blockquote" and "expandable" in attrs:
        out.entity("expandable_blockquote", start)
        return
    if kind == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
        return
    out.entity(kind, start)


_MD2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}


def _parse_markdown_v2(text: str) -> tuple[str, list[JSONDict]]:
    out = _Builder(text)
    stack: list[tuple[str, int, int, str]] = []  # kind, utf16 start, source index, language
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        top = stack[-1][0] if stack else None
        if top == "pre":
            if text.startswith("```", i):
                kind, start, _, language = stack.pop()
                extra = {"language": language} if language else {}
                out.entity("pre", start, **extra)
                i += 3
            else:
                out.add(char)
                i += 1
            continue
        if top == "code":
            if char == "`":
                out.entity("code", stack.pop()[1])
            else:
                out.add(char)
            i += 1
            continue
        if char not in _MD2_RESERVED:
            out.add(char)
            i += 1
            continue
        # closing markers
        if top == "underline" and text.startswith("__", i):
            out.entity("underline", stack.pop()[1])
            i += 2
            continue
        if (top, char) in (("bold", "*"), ("italic", "_"), ("strikethrough", "~")):
            out.entity(top or "", stack.pop()[1])
            i += 1
            continue
        if top == "spoiler" and text.startswith("||", i):
            out.entity("spoiler", stack.pop()[1])
            i += 2
            continue
        if top == "text_link" and char == "]":
            _, start, src, _ = stack.pop()
            i += 1
            if i < n and text[i] == "(":
                j, url_chars = i + 1, []
                while j < n and text[j] != ")":
                    if text[j] == "\\" and j + 1 < n:
                        j += 1
                    url_chars.append(text[j])
                    j += 1
                if j >= n:
                    raise _EntityError(
                        f"Can't find end of a URL at byte offset {out.byte_offset(i)}"
                    )
                url = "".join(url_chars)
                if url.startswith("tg://user?id="):
                    with contextlib.suppress(ValueError):
                        user = {"id": int(url.split("=", 1)[1]), "is_bot": False, "first_name": ""}
                        out.entity("text_mention", start, user=user)
                elif url:
                    out.entity("text_link", start, url=url)
                i = j + 1
            continue
        # opening markers
        if char == "*":
            stack.append(("bold", out.offset, i, ""))
            i += 1
        elif char == "_":
            if text.startswith("__", i):
                stack.append(("underline", out.offset, i, ""))
                i += 2
            else:
                stack.append(("italic", out.offset, i, ""))
                i += 1
        elif char == "~":
            stack.append(("strikethrough", out.offset, i, ""))
            i += 1
        elif char == "|" and text.startswith("||", i):
            stack.append(("spoiler", out.offset, i, ""))
            i += 2
        elif char == "[" and "text_link" not in [s[0] for s in stack]:
            stack.append(("text_link", out.offset, i, ""))
            i += 1
        elif char == "`":
            if text.startswith("```", i):
                newline = text.find("\n", i + 3)
                closing = text.find("```", i + 3)
                language = ""
                j = i + 3
                if newline >= 0 and (closing < 0 or newline < closing):
                    language = text[i + 3 : newline].strip()
                    j = newline + 1
                stack.append(("pre", out.offset, i, language))
                i = j
            else:
                stack.append(("code", out.offset, i, ""))
                i += 1
        elif char == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # block quote marker: accepted, not turned into an entity here
        else:
            raise _EntityError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
    if stack:
        kind, _, src, _ = stack[-1]
        raise _EntityError(
            f"Can't find end of {_MD2_NAMES[kind]} entity at byte offset {out.byte_offset(src)}"
        )
    return out.result()


def _parse_markdown(text: str) -> tuple[str, list[JSONDict]]:
    out = _Builder(text)
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.add(char)
            i += 1
            continue
        begin = out.byte_offset(i)
        error = _EntityError(f"Can't find end of the entity starting at byte offset {begin}")
        start = out.offset
        if text.startswith("```", i):
            close = text.find("```", i + 3)
            if close < 0:
                raise error
            body = text[i + 3 : close]
            language = ""
            if "\n" in body:
                first, rest = body.split("\n", 1)
                if first.strip() and " " not in first.strip():
                    language, body = first.strip(), rest
            out.add(body)
            extra = {"language": language} if language else {}
            out.entity("pre", start, **extra)
            i = close + 3
        elif char == "[":
            close = text.find("](", i + 1)
            end = text.find(")", close + 2) if close >= 0 else -1
            if close < 0 or end < 0:
                raise error
            out.add(text[i + 1 : close])
            out.entity("text_link", start, url=text[close + 2 : end])
            i = end + 1
        else:
            close = text.find(char, i + 1)
            if close < 0:
                raise error
            out.add(text[i + 1 : close])
            out.entity({"*": "bold", "_": "italic", "`": "code"}[char], start)
            i = close + 1
    return out.result()


def _trim(text: str, entities: list[JSONDict] | None) -> tuple[str, list[JSONDict] | None]:
    stripped = text.strip()
    if stripped == text or not entities:
        return stripped, entities
    left = _utf16_len(text[: len(text) - len(text.lstrip())])
    total = _utf16_len(stripped)
    fixed: list[JSONDict] = []
    for entity in entities:
        start = max(int(entity["offset"]) - left, 0)
        end = min(int(entity["offset"]) + int(entity["length"]) - left, total)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return stripped, fixed


def format_text(
    text: str, parse_mode: str | None, entities: Any = None
) -> tuple[str, list[JSONDict] | None]:
    """Apply parse_mode like Telegram: returns (plain text, entities). Raises BotAPIError."""
    mode = (parse_mode or "").strip().lower()
    parsed: list[JSONDict] | None
    try:
        if not mode:
            if entities is not None and not isinstance(entities, list):
                raise _bad("can't parse entities JSON object")
            plain, parsed = text, (entities or None)
        elif mode == "html":
            plain, parsed = _parse_html(text)
        elif mode == "markdownv2":
            plain, parsed = _parse_markdown_v2(text)
        elif mode == "markdown":
            plain, parsed = _parse_markdown(text)
        else:
            raise _bad("unsupported parse_mode")
    except _EntityError as exc:
        raise _bad(f"can't parse entities: {exc}") from None
    plain, parsed = _trim(plain, parsed)
    return plain, (parsed or None)
