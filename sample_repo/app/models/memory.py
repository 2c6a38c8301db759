"""ORM mapping of long-term memories (classic Column style, kept from the 1.3 days)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import relationship

from app.models.base import Base


class MemoryEntry(Base):
    __tablename__ = "memory_entries"

    id = Column(BigInteger, primary_key=True)
    universal_id = Column(String(255), nullable=False, index=True)
    character_id = Column(Integer, ForeignKey("characters.id"), nullable=False)
    kind = Column("memory_type", String(50), nullable=False, default="conversation")
    content = Column(Text, nullable=False)
    importance = Column(Float, nullable=False, default=0.5)
    created_at = Column(DateTime(timezone=True), server_default=func.now())
    embedding_ref = Column(String(64))  # vector store id; 00_init.sql has no such column

    character = relationship("Character")

    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "conversation"}


class EpisodicMemory(MemoryEntry):
    """A remembered episode: same table, told apart by memory_type."""

    __mapper_args__ = {"polymorphic_identity": "episodic"}
