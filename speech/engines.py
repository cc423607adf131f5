"""From a model folder to a recognizer: the one place that knows which engine reads which
model. The engines are imported only when a model of theirs is loaded (faster-whisper brings
CTranslate2 and onnxruntime with it), never on the kiosk's start-up path."""

from __future__ import annotations

from pathlib import Path

from speech.models import Engine, detect_engine, find_model
from speech.recognizer import Recognizer


def open_model(path: Path, language: str, engine: Engine | None = None) -> Recognizer:
    """Load the model in path (seconds, hundreds of MB): call it from a worker thread.
    Raises ModelError when it does not load."""
    if (engine or detect_engine(path)) == "vosk":
        from speech.vosk_engine import VoskRecognizer

        return VoskRecognizer(path, language)
    from speech.whisper_engine import WhisperRecognizer

    return WhisperRecognizer(path, language)


def load_recognizer(models_dir: Path, language: str) -> Recognizer | None:
    """The recognizer for language from the models folder, or None when it has no model."""
    model = find_model(models_dir, language)
    return open_model(model.path, model.language, model.engine) if model is not None else None
