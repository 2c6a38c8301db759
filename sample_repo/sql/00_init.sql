-- ============================================================================
-- Lumen Database Schema - AUTHORITATIVE INITIALIZATION SCRIPT
-- ============================================================================
-- This is the SINGLE SOURCE OF TRUTH for the Lumen database schema.
-- Generated from the production database on: October 12, 2025
--
-- INCLUDES:
--   - Core tables: characters, universal_users, user_profiles, conversations
--   - CDL character tables (abilities, insights, trait relationships, triggers)
--   - Memory systems: memory_entries, conversation_entries, relationship_scores
--   - Dynamic personality: personality_evolution_timeline, optimizer configs
--   - Roleplay systems: roleplay_transactions, role_transactions
--   - Platform integrations: platform_identities, banned_users, bot_deployments
--   - Reporting: analytics.daily_character_stats, character_engagement_summary
--
-- NOTE: This replaces all migration-based initialization.
-- ============================================================================

--
-- PostgreSQL database dump
--

\restrict 7QbXnVfJ2kLmA9sPz4rT1uWyE6hCdG8oNiKq3MxB5vRcY0jZaH

-- Dumped from database version 17.6 (Debian 17.6-1.pgdg120+1)
-- Dumped by pg_dump version 17.6 (Debian 17.6-1.pgdg120+1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: analytics; Type: SCHEMA; Schema: -; Owner: lumen
--

CREATE SCHEMA analytics;


ALTER SCHEMA analytics OWNER TO lumen;

--
-- Name: touch_updated_at(); Type: FUNCTION; Schema: public; Owner: lumen
--

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;


ALTER FUNCTION public.touch_updated_at() OWNER TO lumen;

--
-- Name: record_ban(); Type: FUNCTION; Schema: public; Owner: lumen
--

CREATE FUNCTION public.record_ban() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO public."AuditTrail" (actor, action, target, details)
    VALUES (NEW.banned_by, 'ban', NEW.platform || ':' || NEW.platform_user_id,
            jsonb_build_object('reason', NEW.reason, 'expires_at', NEW.expires_at));
    RETURN NEW;
END;
$$;


ALTER FUNCTION public.record_ban() OWNER TO lumen;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: AuditTrail; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public."AuditTrail" (
    id bigint NOT NULL,
    actor character varying(255) NOT NULL,
    action character varying(64) NOT NULL,
    target character varying(255),
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public."AuditTrail" OWNER TO lumen;

--
-- Name: TABLE "AuditTrail"; Type: COMMENT; Schema: public; Owner: lumen
--

COMMENT ON TABLE public."AuditTrail" IS 'Admin and moderation actions; written by the admin console and the record_ban trigger.';


--
-- Name: AuditTrail_id_seq; Type: SEQUENCE; Schema: public; Owner: lumen
--

CREATE SEQUENCE public."AuditTrail_id_seq"
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER SEQUENCE public."AuditTrail_id_seq" OWNER TO lumen;

ALTER SEQUENCE public."AuditTrail_id_seq" OWNED BY public."AuditTrail".id;


--
-- Name: daily_character_stats; Type: TABLE; Schema: analytics; Owner: lumen
--

CREATE TABLE analytics.daily_character_stats (
    stat_date date NOT NULL,
    character_id integer NOT NULL,
    message_count integer DEFAULT 0 NOT NULL,
    unique_users integer DEFAULT 0 NOT NULL,
    avg_response_ms integer
);


ALTER TABLE analytics.daily_character_stats OWNER TO lumen;

--
-- Name: banned_users; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.banned_users (
    id integer NOT NULL,
    platform character varying(50) NOT NULL,
    platform_user_id character varying(255) NOT NULL,
    reason text,
    banned_by character varying(255) NOT NULL,
    banned_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone
);


ALTER TABLE public.banned_users OWNER TO lumen;

CREATE SEQUENCE public.banned_users_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER SEQUENCE public.banned_users_id_seq OWNER TO lumen;

ALTER SEQUENCE public.banned_users_id_seq OWNED BY public.banned_users.id;


--
-- Name: bot_deployments; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.bot_deployments (
    id integer NOT NULL,
    character_id integer NOT NULL,
    bot_name character varying(100) NOT NULL,
    status character varying(20) DEFAULT 'stopped'::character varying NOT NULL,
    config jsonb DEFAULT '{}'::jsonb NOT NULL,
    deployed_at timestamp with time zone
);


ALTER TABLE public.bot_deployments OWNER TO lumen;

--
-- Name: character_abilities; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.character_abilities (
    id integer NOT NULL,
    character_id integer NOT NULL,
    ability_name character varying(200) NOT NULL,
    category character varying(50),
    proficiency integer DEFAULT 5,
    description text
);


ALTER TABLE public.character_abilities OWNER TO lumen;

--
-- Name: character_emotional_triggers_v2; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.character_emotional_triggers_v2 (
    id integer NOT NULL,
    character_id integer NOT NULL,
    trigger_type character varying(50) NOT NULL,
    trigger_content text NOT NULL,
    emotional_response character varying(100),
    intensity integer DEFAULT 5
);


ALTER TABLE public.character_emotional_triggers_v2 OWNER TO lumen;

--
-- Name: character_insights; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.character_insights (
    id integer NOT NULL,
    character_id integer NOT NULL,
    insight_type character varying(50) NOT NULL,
    content text NOT NULL,
    confidence real DEFAULT 0.5,
    discovered_at timestamp with time zone DEFAULT now()
);


ALTER TABLE public.character_insights OWNER TO lumen;

--
-- Name: character_optimizer_configs; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.character_optimizer_configs (
    id integer NOT NULL,
    character_id integer NOT NULL,
    optimizer_name character varying(100) NOT NULL,
    parameters jsonb DEFAULT '{}'::jsonb,
    enabled boolean DEFAULT false,
    updated_at timestamp with time zone DEFAULT now()
);


ALTER TABLE public.character_optimizer_configs OWNER TO lumen;

--
-- Name: character_relationships; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.character_relationships (
    id integer NOT NULL,
    character_id integer NOT NULL,
    related_entity character varying(200) NOT NULL,
    relationship_type character varying(50) NOT NULL,
    strength integer DEFAULT 5,
    description text,
    CONSTRAINT character_relationships_relationship_type_check CHECK (((relationship_type)::text = ANY ((ARRAY['family'::character varying, 'friend'::character varying, 'rival'::character varying, 'mentor'::character varying])::text[])))
);


ALTER TABLE public.character_relationships OWNER TO lumen;

--
-- Name: character_trait_relationships; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.character_trait_relationships (
    id integer NOT NULL,
    character_id integer NOT NULL,
    trait_a character varying(100) NOT NULL,
    trait_b character varying(100) NOT NULL,
    relationship_strength real DEFAULT 0.0
);


ALTER TABLE public.character_trait_relationships OWNER TO lumen;

--
-- Name: characters; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.characters (
    id integer NOT NULL,
    name character varying(100) NOT NULL,
    normalized_name character varying(100) NOT NULL,
    bot_name character varying(100),
    archetype character varying(50) DEFAULT 'real-world'::character varying,
    description text,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.characters OWNER TO lumen;

--
-- Name: TABLE characters; Type: COMMENT; Schema: public; Owner: lumen
--

COMMENT ON TABLE public.characters IS 'One row per CDL character; normalized_name is the lookup key used by the bots.';


CREATE SEQUENCE public.characters_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER SEQUENCE public.characters_id_seq OWNER TO lumen;

ALTER SEQUENCE public.characters_id_seq OWNED BY public.characters.id;


--
-- Name: conversation_entries; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.conversation_entries (
    id bigint NOT NULL,
    conversation_id bigint NOT NULL,
    role character varying(20) NOT NULL,
    content text NOT NULL,
    token_count integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.conversation_entries OWNER TO lumen;

--
-- Name: conversations; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.conversations (
    id bigint NOT NULL,
    universal_id character varying(255) NOT NULL,
    character_id integer NOT NULL,
    platform character varying(50) DEFAULT 'discord'::character varying NOT NULL,
    channel_id character varying(255),
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    last_message_at timestamp with time zone
);


ALTER TABLE public.conversations OWNER TO lumen;

CREATE SEQUENCE public.conversations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER SEQUENCE public.conversations_id_seq OWNER TO lumen;

ALTER SEQUENCE public.conversations_id_seq OWNED BY public.conversations.id;


--
-- Name: active_conversations; Type: VIEW; Schema: public; Owner: lumen
--

CREATE VIEW public.active_conversations AS
 SELECT c.id,
    c.universal_id,
    c.character_id,
    c.platform,
    c.last_message_at
   FROM public.conversations c
  WHERE (c.last_message_at > (now() - '1 day'::interval));


ALTER VIEW public.active_conversations OWNER TO lumen;

--
-- Name: character_engagement_summary; Type: MATERIALIZED VIEW; Schema: public; Owner: lumen
--

CREATE MATERIALIZED VIEW public.character_engagement_summary AS
 SELECT ch.id AS character_id,
    ch.name,
    count(DISTINCT cv.universal_id) AS unique_users,
    count(ce.id) AS message_count
   FROM ((public.characters ch
     LEFT JOIN public.conversations cv ON ((cv.character_id = ch.id)))
     LEFT JOIN public.conversation_entries ce ON ((ce.conversation_id = cv.id)))
  GROUP BY ch.id, ch.name
  WITH NO DATA;


ALTER MATERIALIZED VIEW public.character_engagement_summary OWNER TO lumen;

--
-- Name: memory_entries; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.memory_entries (
    id bigint NOT NULL,
    universal_id character varying(255) NOT NULL,
    character_id integer NOT NULL,
    memory_type character varying(50) DEFAULT 'conversation'::character varying NOT NULL,
    content text NOT NULL,
    importance real DEFAULT 0.5 NOT NULL,
    source character varying(50),
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.memory_entries OWNER TO lumen;

ALTER TABLE public.memory_entries ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.memory_entries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: memory_manager_configs; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.memory_manager_configs (
    id integer NOT NULL,
    manager_name character varying(100) NOT NULL,
    retention_days integer DEFAULT 365,
    max_entries integer DEFAULT 10000,
    settings jsonb DEFAULT '{}'::jsonb
);


ALTER TABLE public.memory_manager_configs OWNER TO lumen;

--
-- Name: personality_evolution_timeline; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.personality_evolution_timeline (
    id integer NOT NULL,
    character_id integer NOT NULL,
    trait_name character varying(100) NOT NULL,
    old_value numeric(4,3),
    new_value numeric(4,3),
    reason text,
    changed_at timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.personality_evolution_timeline OWNER TO lumen;

--
-- Name: platform_identities; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.platform_identities (
    id integer NOT NULL,
    universal_id character varying(255) NOT NULL,
    platform character varying(50) NOT NULL,
    platform_user_id character varying(255) NOT NULL,
    username character varying(255),
    linked_at timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.platform_identities OWNER TO lumen;

--
-- Name: relationship_scores; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.relationship_scores (
    universal_id character varying(255) NOT NULL,
    character_id integer NOT NULL,
    trust numeric(5,2) DEFAULT 0 NOT NULL,
    affection numeric(5,2) DEFAULT 0 NOT NULL,
    attunement numeric(5,2) DEFAULT 0 NOT NULL,
    interaction_count integer DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.relationship_scores OWNER TO lumen;

--
-- Name: role_transactions; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.role_transactions (
    id integer NOT NULL,
    universal_id character varying(255) NOT NULL,
    character_id integer NOT NULL,
    role_name character varying(100) NOT NULL,
    status character varying(20) DEFAULT 'active'::character varying NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.role_transactions OWNER TO lumen;

--
-- Name: roleplay_transactions; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.roleplay_transactions (
    id bigint NOT NULL,
    universal_id character varying(255) NOT NULL,
    character_id integer NOT NULL,
    transaction_type character varying(50) NOT NULL,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    state character varying(20) DEFAULT 'pending'::character varying NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone
);


ALTER TABLE public.roleplay_transactions OWNER TO lumen;

--
-- Name: TABLE roleplay_transactions; Type: COMMENT; Schema: public; Owner: lumen
--

COMMENT ON TABLE public.roleplay_transactions IS 'Multi-step roleplay actions (purchases, quests); see role_transactions for role assignments.';


--
-- Name: universal_users; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.universal_users (
    universal_id character varying(255) NOT NULL,
    primary_username character varying(255) NOT NULL,
    display_name character varying(255),
    email character varying(255),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_active timestamp with time zone
);


ALTER TABLE public.universal_users OWNER TO lumen;

--
-- Name: user_profiles; Type: TABLE; Schema: public; Owner: lumen
--

CREATE TABLE public.user_profiles (
    universal_id character varying(255) NOT NULL,
    display_name character varying(255),
    timezone character varying(64) DEFAULT 'UTC'::character varying,
    locale character varying(16) DEFAULT 'en'::character varying,
    bio text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.user_profiles OWNER TO lumen;

--
-- Name: AuditTrail id; Type: DEFAULT; Schema: public; Owner: lumen
--

ALTER TABLE ONLY public."AuditTrail" ALTER COLUMN id SET DEFAULT nextval('public."AuditTrail_id_seq"'::regclass);


--
-- Name: banned_users id; Type: DEFAULT; Schema: public; Owner: lumen
--

ALTER TABLE ONLY public.banned_users ALTER COLUMN id SET DEFAULT nextval('public.banned_users_id_seq'::regclass);


--
-- Name: characters id; Type: DEFAULT; Schema: public; Owner: lumen
--

ALTER TABLE ONLY public.characters ALTER COLUMN id SET DEFAULT nextval('public.characters_id_seq'::regclass);


--
-- Name: conversations id; Type: DEFAULT; Schema: public; Owner: lumen
--

ALTER TABLE ONLY public.conversations ALTER COLUMN id SET DEFAULT nextval('public.conversations_id_seq'::regclass);


--
-- Data for Name: characters; Type: TABLE DATA; Schema: public; Owner: lumen
--

COPY public.characters (id, name, normalized_name, bot_name, archetype, description, is_active, created_at, updated_at) FROM stdin;
1	Elena Rodriguez	elena	elena-bot	real-world	Marine biologist from La Jolla; warm, curious, loves tide pools.	t	2025-10-01 09:00:00+00	2025-10-01 09:00:00+00
2	Marcus Thompson	marcus	marcus-bot	real-world	AI researcher; precise, patient, skeptical of hype.	t	2025-10-01 09:00:00+00	2025-10-01 09:00:00+00
3	Ryan Chen	ryan	ryan-bot	real-world	Security trainer. Opens every workshop with Robert'); DROP TABLE users;-- and asks who sanitised their inputs.	t	2025-10-02 14:30:00+00	2025-10-02 14:30:00+00
4	Dream of the Endless	dream	dream-bot	fantasy	\N	f	2025-10-03 18:45:00+00	2025-10-05 08:10:00+00
\.


--
-- Name: AuditTrail_id_seq; Type: SEQUENCE SET; Schema: public; Owner: lumen
--

SELECT pg_catalog.setval('public."AuditTrail_id_seq"', 1, false);


--
-- Name: characters_id_seq; Type: SEQUENCE SET; Schema: public; Owner: lumen
--

SELECT pg_catalog.setval('public.characters_id_seq', 4, true);


--
-- Name: AuditTrail AuditTrail_pkey; Type: CONSTRAINT; Schema: public; Owner: lumen
--

ALTER TABLE ONLY public."AuditTrail"
    ADD CONSTRAINT "AuditTrail_pkey" PRIMARY KEY (id);


--
-- Name: daily_character_stats daily_character_stats_pkey; Type: CONSTRAINT; Schema: analytics; Owner: lumen
--

ALTER TABLE ONLY analytics.daily_character_stats
    ADD CONSTRAINT daily_character_stats_pkey PRIMARY KEY (stat_date, character_id);


ALTER TABLE ONLY public.banned_users
    ADD CONSTRAINT banned_users_pkey PRIMARY KEY (id);


ALTER TABLE ONLY public.bot_deployments
    ADD CONSTRAINT bot_deployments_pkey PRIMARY KEY (id);


ALTER TABLE ONLY public.character_abilities
    ADD CONSTRAINT character_abilities_pkey PRIMARY KEY (id);


ALTER TABLE ONLY public.characters
    ADD CONSTRAINT characters_normalized_name_key UNIQUE (normalized_name);


ALTER TABLE ONLY public.characters
    ADD CONSTRAINT characters_pkey PRIMARY KEY (id);


ALTER TABLE ONLY public.conversation_entries
    ADD CONSTRAINT conversation_entries_pkey PRIMARY KEY (id);


ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (id);


ALTER TABLE ONLY public.memory_entries
    ADD CONSTRAINT memory_entries_pkey PRIMARY KEY (id);


ALTER TABLE ONLY public.platform_identities
    ADD CONSTRAINT platform_identities_platform_platform_user_id_key UNIQUE (platform, platform_user_id);


ALTER TABLE ONLY public.relationship_scores
    ADD CONSTRAINT relationship_scores_pkey PRIMARY KEY (universal_id, character_id);


ALTER TABLE ONLY public.universal_users
    ADD CONSTRAINT universal_users_pkey PRIMARY KEY (universal_id);


ALTER TABLE ONLY public.user_profiles
    ADD CONSTRAINT user_profiles_pkey PRIMARY KEY (universal_id);


--
-- Name: idx_conversation_entries_conversation; Type: INDEX; Schema: public; Owner: lumen
--

CREATE INDEX idx_conversation_entries_conversation ON public.conversation_entries USING btree (conversation_id, created_at);


--
-- Name: idx_memory_entries_user_character; Type: INDEX; Schema: public; Owner: lumen
--

CREATE INDEX idx_memory_entries_user_character ON public.memory_entries USING btree (universal_id, character_id, created_at DESC);


CREATE INDEX idx_conversations_last_message ON public.conversations USING btree (last_message_at);


CREATE UNIQUE INDEX idx_bot_deployments_bot_name ON public.bot_deployments USING btree (bot_name);


--
-- Name: characters characters_touch_updated_at; Type: TRIGGER; Schema: public; Owner: lumen
--

CREATE TRIGGER characters_touch_updated_at BEFORE UPDATE ON public.characters FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();


--
-- Name: banned_users banned_users_record_ban; Type: TRIGGER; Schema: public; Owner: lumen
--

CREATE TRIGGER banned_users_record_ban AFTER INSERT ON public.banned_users FOR EACH ROW EXECUTE FUNCTION public.record_ban();


--
-- Name: conversation_entries conversation_entries_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: lumen
--

ALTER TABLE ONLY public.conversation_entries
    ADD CONSTRAINT conversation_entries_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES public.conversations(id) ON DELETE CASCADE;


ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_character_id_fkey FOREIGN KEY (character_id) REFERENCES public.characters(id);


ALTER TABLE ONLY public.platform_identities
    ADD CONSTRAINT platform_identities_universal_id_fkey FOREIGN KEY (universal_id) REFERENCES public.universal_users(universal_id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict 7QbXnVfJ2kLmA9sPz4rT1uWyE6hCdG8oNiKq3MxB5vRcY0jZaH

