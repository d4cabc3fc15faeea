export const USAGE = `gog — the Glance-or-Gaze search-augmented VQA agent, headless

usage:
  gog ask --image PATH --question TEXT [options]   run one query
  gog replay TRAJECTORY... [--port N] [--latency MS]
                                                   serve recorded model turns as an
                                                   OpenAI-compatible endpoint on 127.0.0.1
  gog report TRAJECTORY [--out FILE.html]         the trajectory view as one self-contained
                                                   HTML file (images inlined), to share
  gog demo [--out DIR]                             replay the bundled demo questions
  gog help                                         this text

ask options:
  --endpoint URL        OpenAI-compatible base URL (default $OPENAI_BASE_URL or http://127.0.0.1:8000/v1)
  --model NAME          model name (default: the first model the endpoint lists)
  --dialect D           gog | mmsearch-r1 | tool-calls (default gog)
  --box-format F        pixels-sent | rel-1000 | rel-1 (default pixels-sent)
  --max-turns N         turn budget; the last turn must answer (default 8)
  --max-pixels N        cap on pixels sent to the model (default 1003520 = 1280·28·28)
  --corpus DIR          local corpus folder with pages.jsonl (default: the bundled demo corpus)
  --out DIR             run folder to create (default .gog/runs/<id>)
  --gold TEXT           a gold answer alias, for scoring (repeatable)
  --top-k N             results per search (default 5)
  --temperature T       sampling temperature (default 0)
  --max-tokens N        tokens per model turn (default 2048)
  --timeout S           seconds one model turn may take, retries included (default 300, at most 86400)
  --retries N           retries on 429/5xx/connection errors (default 2, at most 10)
  --max-reply-chars N   characters kept of a model reply; the rest is not read (default 1000000)
  --max-image-mb N      largest image file read, in MB (default 256)
  --no-stream           ask for whole replies instead of streams
  --no-evidence-images  do not send result thumbnails to the model
  --cache DIR           search cache folder (default .gog/cache)
  --no-cache            do not cache searches
  --json                print only one JSON line with the outcome on stdout

The API key is read from OPENAI_API_KEY (none is needed for local servers).
Exit status: 0 answered, 1 the run ended without an answer, 2 the run could not start.`;
