"""Platform integrations: moderation and bot deployments."""
