"""The types that models and calls share.

- `UNSET`, the value of a model field left out (its repr is ``UNSET``), and its type `Unset`.
- `StreamingRequestDict` and the TypedDicts nested in it: the request of ``init_session``/``live`` written as a
  dict, key by key as the spec declares it, so editors complete the keys and type checkers catch a misspelt one
  (at run time an unknown key raises `InvalidRequestError`). Enum fields take the enum's values as `Literal`s
  (`TranscriptionLanguageCodeLiteral`, ...) or the enum members of `gladia_live_client.models`.
"""

from ._generated.request_types import (
    CallbackConfigDict,
    CustomSpellingConfigDTODict,
    CustomVocabularyConfigDTODict,
    CustomVocabularyEntryDTODict,
    LanguageConfigDict,
    MessagesConfigDict,
    PostProcessingConfigDict,
    PreProcessingConfigDict,
    RealtimeProcessingConfigDict,
    StreamingRequestDict,
    StreamingSupportedBitDepthLiteral,
    StreamingSupportedEncodingLiteral,
    StreamingSupportedModelsLiteral,
    StreamingSupportedSampleRateLiteral,
    SummarizationConfigDTODict,
    SummaryTypesLiteral,
    TranscriptionLanguageCodeLiteral,
    TranslationConfigDTODict,
    TranslationLanguageCodeLiteral,
    TranslationModelLiteral,
)
from ._generated.types import UNSET, Unset

__all__ = [
    "UNSET",
    "CallbackConfigDict",
    "CustomSpellingConfigDTODict",
    "CustomVocabularyConfigDTODict",
    "CustomVocabularyEntryDTODict",
    "LanguageConfigDict",
    "MessagesConfigDict",
    "PostProcessingConfigDict",
    "PreProcessingConfigDict",
    "RealtimeProcessingConfigDict",
    "StreamingRequestDict",
    "StreamingSupportedBitDepthLiteral",
    "StreamingSupportedEncodingLiteral",
    "StreamingSupportedModelsLiteral",
    "StreamingSupportedSampleRateLiteral",
    "SummarizationConfigDTODict",
    "SummaryTypesLiteral",
    "TranscriptionLanguageCodeLiteral",
    "TranslationConfigDTODict",
    "TranslationLanguageCodeLiteral",
    "TranslationModelLiteral",
    "Unset",
]
