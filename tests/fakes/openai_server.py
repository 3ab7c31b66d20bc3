"""A local OpenAI-compatible chat-completions server for tests and benchmarks (http.server on 127.0.0.1).

Behaviour is scripted per request: a rule matches a substring of the prompt (a section title) and pops the next
scripted step; unmatched requests get a plausible default answer built from the prompt itself, so a whole report
can be drafted through the real openai engine over real HTTP. Streaming (SSE), ``max_tokens``, ``response_format``
and a context limit behave like llama.cpp's server; every request body is kept in ``requests``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["REAL_REFUSALS", "FakeOpenAIServer", "Refusal", "Step", "default_answer"]


@dataclass
class Step:
    """One scripted reply. ``kind``: ok | status | hang | empty | length | endless | slow_start (the role chunk,
    then ``seconds`` of silence while the "prompt is read", then ``text``).

    ``length`` answers ``text`` with ``finish_reason: "length"``; ``endless`` streams ``prefix`` once, then ``text``
    forever (until the client closes the connection); ``status`` answers ``status`` with ``headers`` (e.g.
    Retry-After)."""

    kind: str = "ok"
    text: str = ""
    status: int = 200
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    message: str = ""
    prefix: str = ""


@dataclass(frozen=True)
class Refusal:
    """How one real server refuses one parameter: its status and body, byte for byte as found in its source or in
    an issue quoting it (``assistant/llm/capabilities.py`` cites each), and which requests it refuses."""

    server: str
    status: int
    payload: dict[str, Any]
    param: str  # a top-level request field ...
    value: str | None = None  # ... refused only when its "type" is this (response_format), else whenever present

    def applies(self, body: dict[str, Any]) -> bool:
        if self.param not in body:
            return False
        field_value = body[self.param]
        return self.value is None or (isinstance(field_value, dict) and field_value.get("type") == self.value)


_PYDANTIC_LITERAL = ("[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be "
                     "'text' or 'json_object'\", 'input': 'json_schema', 'ctx': {'expected': \"'text' or "
                     "'json_object'\"}}]")
REAL_REFUSALS: tuple[Refusal, ...] = (
    # measured against llama-cpp-python 0.3.36's server (../shared/real_llm): HTTP 500, not 400 or 422
    Refusal("llama-cpp-python", 500, {"error": {
        "message": "1 validation error:\n  " + _PYDANTIC_LITERAL[1:-1] + "\n\n  File \"llama_cpp/server/app.py\", "
                   "line 376, in create_chat_completion\n    POST /v1/chat/completions",
        "type": "internal_server_error", "param": None, "code": None}}, "response_format", "json_schema"),
    # llama.cpp server before json_schema support (ikawrakow/ik_llama.cpp#778 quotes it)
    Refusal("llama.cpp", 500, {"error": {"code": 500, "message": "response_format type must be one of \"text\" or "
                                         "\"json_object\", but got: json_schema", "type": "server_error"}},
            "response_format", "json_schema"),
    # vLLM before json_schema: validation_exception_handler -> ErrorResponse(message=str(exc), code=400)
    Refusal("vllm", 400, {"object": "error", "message": _PYDANTIC_LITERAL, "type": "BadRequestError", "param": None,
                          "code": 400}, "response_format", "json_schema"),
    # Ollama's OpenAI layer: runner "invalid JSON schema in format" (datalab-to/marker#984), NewError(500) = api_error
    Refusal("ollama", 500, {"error": {"message": "invalid JSON schema in format", "type": "api_error", "param": None,
                                      "code": None}}, "response_format", "json_schema"),
    # LM Studio refuses OpenAI's json_object spelling (lmstudio-ai/lmstudio-bug-tracker#189)
    Refusal("lm-studio", 400, {"error": "'response_format.type' must be 'json_schema' or 'text'"},
            "response_format", "json_object"),
    # vLLM 0.4 (extra="forbid" request models) refusing stream_options
    Refusal("vllm-0.4", 400, {"object": "error", "message": "[{'type': 'extra_forbidden', 'loc': ('body', "
                              "'stream_options'), 'msg': 'Extra inputs are not permitted', 'input': {'include_usage': "
                              "True}}]", "type": "BadRequestError", "param": None, "code": 400}, "stream_options"),
    # OpenAI's reasoning models
    Refusal("openai-o1", 400, {"error": {"message": "Unsupported parameter: 'max_tokens' is not supported with this "
                                         "model. Use 'max_completion_tokens' instead.", "type": "invalid_request_error",
                                         "param": "max_tokens", "code": "unsupported_parameter"}}, "max_tokens"),
)


def _sources(prompt: str) -> list[tuple[int, str]]:
    return [(int(n), t) for n, t in re.findall(r'<source n="(\d+)"[^>]*title="([^"]*)"', prompt)]


def _titled(titles: dict[int, str], refs: str) -> str:
    number = re.search(r"\d+", refs)
    return titles.get(int(number.group(0)), "本月相关进展") if number else "本月相关进展"


def default_answer(prompt: str) -> str:
    """A well-formed answer for whatever section the prompt asks for."""
    sources = _sources(prompt)
    if '{"theses":' in prompt:  # core views: evidence per thesis, a proposed view only where the analyst gave none
        listed = re.findall(r"^\d+\. .*（证据来源：([^；]*)；分析师观点：(.*)）$", prompt, re.MULTILINE)
        # a well-behaved model writes different evidence per thesis: the cited source's own title
        titles = dict(sources)
        theses = [{"facts": f"{_titled(titles, refs)}{refs.split('、')[0]}。" if refs != "无" else "",
                   "view": f"我们认为，第{i}条所述产业趋势值得持续跟踪。" if view == "无" else ""}
                  for i, (refs, view) in enumerate(listed, start=1)]
        return json.dumps({"theses": theses}, ensure_ascii=False)
    if '{"advice":' in prompt:
        listed = re.findall(r"^\d+\. .*（相关标的：.*；催化来源：([^）]*)）$", prompt, re.MULTILINE)
        titles = dict(sources)
        return json.dumps({"advice": [{"catalysts": f"{_titled(titles, refs)}{refs.split('、')[0]}" if refs != "无"
                                       else ""} for refs in listed]}, ensure_ascii=False)
    if '"summary": "中文摘要"' in prompt:  # ingestion's translation of a foreign item
        title = re.search(r"标题：(.*)", prompt)
        return json.dumps({"title": f"（译）{title.group(1).strip() if title else ''}",
                           "summary": "这是一条外文新闻的中文摘要。"}, ensure_ascii=False)
    if "只输出一个 JSON 对象" in prompt:
        groups = json.loads(re.search(r"groups 的 title 必须依次取自：(\[.*?\])", prompt).group(1))  # type: ignore[union-attr]
        rows = [{"source": n, "title": t, "summary": f"{t}，相关进展值得关注。[{n}]", "company": t[:6],
                 "track": "人工智能", "round": "A 轮", "amount": "1 亿元", "investors": "某产业资本"}
                for n, t in sources[:3]]
        lead = f"本月相关动态密集[{sources[0][0]}]。" if sources else "本月相关动态较少。"
        return json.dumps({"lead": lead, "groups": [{"title": g, "rows": rows} for g in groups]}, ensure_ascii=False)
    placeholders = re.findall(r"^(\{fact:[^}]+\}) = ", prompt, re.MULTILINE)
    if placeholders:
        chosen = [p for p in placeholders if "theme_index" in p] or placeholders
        return "### （一）整体行情\n\n主题指数：" + "，".join(chosen[:4]) + "。"
    if "撰写报告开头的" in prompt:  # core views: one bullet per brief, keeping its markers
        briefs = re.findall(r"^【([^】]+)】(.+)$", prompt, re.MULTILINE)
        return "\n".join(f"- **{label}**：{lead}" for label, lead in briefs) or "- **要点**：本月行业动态平稳。"
    if sources:
        n, title = sources[0]
        return f"本月进展较多[{n}]。\n\n#### 1. {title}\n\n{title}发布，引发关注。[{n}]"
    return "- **要点**：本月行业动态平稳。"


def _tokens(text: str) -> int:
    return max(1, len(text) // 2)


@dataclass
class FakeOpenAIServer:
    """``with FakeOpenAIServer() as srv: settings(openai_base_url=srv.base_url)``.

    ``formats``: the response_format types accepted (others get llama.cpp's 400); ``context``: the context
    window in (fake) tokens, ``None`` = unlimited; ``chunk_chars``: characters per streamed chunk."""

    latency_s: float = 0.0
    rules: dict[str, list[Step]] = field(default_factory=dict)
    answer: Callable[[str], str] = default_answer
    requests: list[dict[str, Any]] = field(default_factory=list)
    formats: tuple[str, ...] = ("json_schema", "json_object")
    context: int | None = None
    chunk_chars: int = 64
    chunk_delay_s: float = 0.0  # a slow generator: seconds between streamed chunks
    disconnects: int = 0
    refusals: tuple[Refusal, ...] = ()
    # What the server tells of itself: extra fields of its /v1/models entry (vLLM: max_model_len), llama.cpp's
    # /props n_ctx, Ollama's /api/show parameters (None: that endpoint answers 404, like other servers)
    model_meta: dict[str, Any] = field(default_factory=dict)
    props_ctx: int | None = None
    ollama_parameters: str | None = None
    streamed_chars: list[int] = field(default_factory=list)  # characters sent per streamed answer

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, match: str, *steps: Step) -> None:
        self.rules.setdefault(match, []).extend(steps)

    def next_step(self, prompt: str) -> Step:
        with self._lock:
            for match, steps in self.rules.items():
                if match in prompt and steps:
                    return steps.pop(0)
        return Step("ok", self.answer(prompt))

    def calls_matching(self, match: str) -> int:
        return sum(1 for r in self.requests if match in r["prompt"])

    def bodies_matching(self, match: str) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests if match in r["prompt"]]

    def _refusal(self, body: dict[str, Any], prompt: str) -> tuple[int, Any] | None:
        for refusal in self.refusals:
            if refusal.applies(body):
                return refusal.status, refusal.payload
        fmt = (body.get("response_format") or {}).get("type")
        if fmt and fmt not in self.formats:
            return 400, f"response_format type '{fmt}' is not supported"
        wanted = _tokens(prompt) + int(body.get("max_tokens") or 0)
        if self.context is not None and wanted > self.context:
            return 400, (f"the request exceeds the available context size ({wanted} > {self.context}), "
                         "try increasing the context size or enable context shift")
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                if self.path.endswith("/v1/models"):
                    return self._send(200, {"object": "list", "data": [
                        {"id": "fake-model", "object": "model", "owned_by": "me", **server.model_meta}]})
                if self.path == "/props" and server.props_ctx is not None:
                    return self._send(200, {"default_generation_settings": {"n_ctx": server.props_ctx},
                                            "total_slots": 1})
                return self._send(404, {"detail": "Not Found"})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path == "/api/show":
                    if server.ollama_parameters is None:
                        return self._send(404, {"detail": "Not Found"})
                    return self._send(200, {"modelfile": "FROM x", "parameters": server.ollama_parameters,
                                            "model_info": {"qwen2.context_length": 32768}})
                prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
                with server._lock:
                    server.requests.append({"prompt": prompt, "model": body.get("model"), "at": time.time(),
                                            "body": body})
                refusal = server._refusal(body, prompt)
                if refusal is not None:
                    status, payload = refusal
                    return self._send(status, payload) if isinstance(payload, dict) else self._error(status, payload)
                step = server.next_step(prompt)
                time.sleep(server.latency_s)
                if step.kind == "hang":
                    time.sleep(step.seconds)
                if step.kind == "status":
                    return self._error(step.status, step.message or f"scripted {step.status}", step.headers)
                text = "" if step.kind == "empty" else step.text
                finish = "length" if step.kind == "length" else "stop"
                if body.get("stream"):
                    return self._stream(body, prompt, text, finish, endless=step.kind == "endless",
                                        prefix=step.prefix, reading_s=step.seconds if step.kind == "slow_start" else 0)
                return self._send(200, _completion(body, prompt, text, finish))

            def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
                self._send(status, {"error": {"message": message, "type": "server_error", "code": status}},
                           headers or {})

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (timeout): nothing to answer

            def _event(self, payload: dict[str, Any] | str) -> None:
                data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
                chunk = f"data: {data}\n\n".encode()
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()

            def _stream(self, body: dict[str, Any], prompt: str, text: str, finish: str, *, endless: bool,
                        prefix: str = "", reading_s: float = 0.0) -> None:
                model = body.get("model", "fake")
                sent = 0
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    size = server.chunk_chars
                    if reading_s:  # llama-cpp-python sends the role at once, then reads the prompt
                        self._event(_chunk(model, {"role": "assistant"}, None))
                        time.sleep(reading_s)
                    if prefix:
                        self._event(_chunk(model, {"content": prefix}, None))
                        sent += len(prefix)
                    pieces = [text[i:i + size] for i in range(0, len(text), size)] or [""]
                    while True:
                        for piece in pieces:
                            self._event(_chunk(model, {"content": piece}, None))
                            sent += len(piece)
                            time.sleep(server.chunk_delay_s)
                        if not endless:
                            break
                        time.sleep(0.01)
                    self._event(_chunk(model, {}, finish))
                    if (body.get("stream_options") or {}).get("include_usage"):
                        self._event({**_chunk(model, {}, None), "choices": [], "usage": _usage(prompt, text)})
                    self._event("[DONE]")
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    with server._lock:
                        server.disconnects += 1  # the client closed the stream: generation stops here
                finally:
                    with server._lock:
                        server.streamed_chars.append(sent)

        return Handler


def _usage(prompt: str, text: str) -> dict[str, int]:
    return {"prompt_tokens": _tokens(prompt), "completion_tokens": _tokens(text),
            "total_tokens": _tokens(prompt) + _tokens(text)}


def _chunk(model: str, delta: dict[str, str], finish: str | None) -> dict[str, Any]:
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def _completion(body: dict[str, Any], prompt: str, text: str, finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": text}}],
        "usage": _usage(prompt, text),
    }
