"""Finding a client by ``client_id``: a registered one from storage, or a Client ID
Metadata Document fetched (and cached in storage) when the id is an https URL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from taskmcp.oauth.cimd import CimdFetcher, is_cimd_client_id
from taskmcp.storage import Client, Storage

__all__ = ["ClientDirectory"]


class ClientDirectory:
    def __init__(
        self, storage: Storage, fetcher: CimdFetcher, clock: Callable[[], datetime]
    ) -> None:
        self._storage = storage
        self._fetcher = fetcher
        self._clock = clock

    async def get(self, client_id: str) -> Client | None:
        """The client, fetching its metadata document if needed. Raises
        ``InvalidClient``/``TemporarilyUnavailable`` when a document cannot be used."""
        cached = await self._storage.get_client(client_id, now=self._clock())
        if cached is not None or not is_cimd_client_id(client_id):
            return cached
        client = await self._fetcher.fetch(client_id)
        await self._storage.save_client(client)
        return client
