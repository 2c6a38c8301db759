-- Migration 001 (hotfix): character_relationships.relationship_type is now free text.
-- The CHECK constraint rejected 'colleague' and 'pet' relationships from new CDL imports.

ALTER TABLE character_relationships
    DROP CONSTRAINT IF EXISTS character_relationships_relationship_type_check;
