"""Toxicity triage of incoming reports. These "models" are scoring models, not Django models."""

_BLOCKLIST = frozenset({"kill", "hate", "slur", "threat"})


class Model:
    """Any scoring model: a name, a version and a threshold."""

    name = "base"
    version = "0"
    threshold = 0.5

    def score(self, text: str) -> float:
        raise NotImplementedError


class ToxicityModel(Model):
    name = "toxicity"
    version = "2025-09"
    threshold = 0.2

    class Meta:
        # read by the model registry: where the weights are and where it logs evaluations
        source = "s3://lumen-models/toxicity"
        db_table = "toxicity_evaluations"

    def score(self, text: str) -> float:
        words = text.lower().split()
        return sum(word in _BLOCKLIST for word in words) / max(len(words), 1)


def triage(reason: str, model: Model | None = None) -> str:
    model = model or ToxicityModel()
    return "urgent" if model.score(reason) >= model.threshold else "normal"
