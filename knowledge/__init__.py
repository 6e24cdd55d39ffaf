"""The school's knowledge base: ingest, chunk, embed, search; and the Gemini client."""
