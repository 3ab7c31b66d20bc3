"""Ask the server, not the model's name: the context window and the served model ids, where the endpoint tells.

- ``GET {base}/models``: the served ids; vLLM adds ``max_model_len`` (the serving context).
- ``GET {root}/props`` (llama.cpp server): ``default_generation_settings.n_ctx`` (older builds: top-level ``n_ctx``).
- ``POST {root}/api/show`` (Ollama): ``num_ctx`` in ``parameters`` when the Modelfile sets it; otherwise Ollama
  serves its default context whatever the model could do, so that default is what counts.
llama-cpp-python's server tells neither (``/v1/models`` carries only ids): the setting decides there. Every probe
is short, optional and never fatal: a server that answers nothing leaves the setting and the name table in charge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from assistant.settings import Settings

__all__ = ["OLLAMA_DEFAULT_CONTEXT", "ServerInfo", "probe_server"]

PROBE_TIMEOUT_S = 5.0
OLLAMA_DEFAULT_CONTEXT = 4_096
_NUM_CTX = re.compile(r"^\s*num_ctx\s+(\d+)", re.MULTILINE)


@dataclass(frozen=True)
class ServerInfo:
    context_window: int | None = None
    source: str | None = None  # which answer told the context window
    models: tuple[str, ...] = ()


def _json(client: httpx.Client, method: str, url: str, **kw: object) -> object:
    try:
        response = client.request(method, url, **kw)  # type: ignore[arg-type]
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _positive(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _from_models(data: object, model: str) -> tuple[tuple[str, ...], int | None]:
    entries = data.get("data") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return (), None
    rows = [e for e in entries if isinstance(e, dict)]
    ids = tuple(str(e.get("id")) for e in rows if e.get("id"))
    mine = [e for e in rows if e.get("id") == model] or (rows if len(rows) == 1 else [])
    return ids, _positive(mine[0].get("max_model_len")) if mine else None


def _from_props(data: object) -> int | None:
    if not isinstance(data, dict):
        return None
    settings = data.get("default_generation_settings")
    if isinstance(settings, dict) and _positive(settings.get("n_ctx")):
        return _positive(settings.get("n_ctx"))
    return _positive(data.get("n_ctx"))


def _from_ollama(data: object) -> int | None:
    if not isinstance(data, dict) or not ("modelfile" in data or "model_info" in data or "parameters" in data):
        return None
    match = _NUM_CTX.search(str(data.get("parameters") or ""))
    return int(match.group(1)) if match else OLLAMA_DEFAULT_CONTEXT


def probe_server(settings: Settings, *, client: httpx.Client | None = None) -> ServerInfo:
    """What the endpoint says of itself (nothing for the public OpenAI API, which tells no context)."""
    if not settings.openai_base_url:
        return ServerInfo()
    base = settings.openai_base_url.rstrip("/")
    root = base.removesuffix("/v1")
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key is not None else ""
    own = client is None
    http = client or httpx.Client(timeout=PROBE_TIMEOUT_S, headers={"Authorization": f"Bearer {key}"})
    try:
        ids, told = _from_models(_json(http, "GET", f"{base}/models"), settings.model)
        if told:
            return ServerInfo(told, "/v1/models max_model_len", ids)
        if (told := _from_props(_json(http, "GET", f"{root}/props"))) is not None:
            return ServerInfo(told, "llama.cpp /props n_ctx", ids)
        if (told := _from_ollama(_json(http, "POST", f"{root}/api/show", json={"model": settings.model}))):
            return ServerInfo(told, "Ollama /api/show num_ctx", ids)
        return ServerInfo(None, None, ids)
    finally:
        if own:
            http.close()
