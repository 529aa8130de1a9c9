"""wiretrace reports: render what storage returns (HTML, Markdown, JSON, CSV, PROV-JSON)."""
