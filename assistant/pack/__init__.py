"""The market data pack: ``pack.yaml`` plus five table files, loaded and validated into a MarketPack."""

from assistant.pack.loader import content_hash, load_pack
from assistant.pack.model import BOARDS, MarketPack, PackConfig

__all__ = ["BOARDS", "MarketPack", "PackConfig", "content_hash", "load_pack"]
