// `gog help`. The settings flags come from the one declaration of every run setting.
import { cliHelp } from '../run/settingsSpec';

export const USAGE = `gog — the Glance-or-Gaze search-augmented VQA agent, headless

usage:
  gog ask --image PATH --question TEXT [options]   run one query
  gog replay TRAJECTORY... [--port N] [--latency MS]
                                                   serve recorded model turns as an
                                                   OpenAI-compatible endpoint on 127.0.0.1
  gog report TRAJECTORY [--out FILE.html]         the trajectory view as one self-contained
                                                   HTML file (images inlined), to share
  gog demo [--out DIR]                             replay the bundled demo questions
  gog cache stats|clear [--cache DIR] [--provider ID]
                                                   what the search cache holds; empty it
  gog help                                         this text

ask options:
  --image PATH                     the image to ask about (required)
  --question TEXT                  the question (required)
  --out DIR                        run folder to create: new or empty (default .gog/runs/<id>)
  --gold TEXT                      a gold answer alias, for scoring (repeatable)
  --cache DIR                      search cache folder (default .gog/cache)
  --json                           print only one JSON line with the outcome on stdout
${cliHelp().join('\n')}

The API key is read from OPENAI_API_KEY (none is needed for local servers).
Exit status: 0 answered, 1 the run ended without an answer, 2 the run could not start.`;
