// Every web search provider the settings can name, as data the registry builds from.
// (The local corpus and the recorded provider are built by the registry itself: they need
// the corpus folder and the replay endpoint rather than a web service.)
import type { ImageProviderDef, TextProviderDef } from '../kit';
import { brave } from './brave';
import { googleVision } from './googleVision';
import { searxng } from './searxng';
import { serpapi } from './serpapi';
import { serpapiLens } from './serpapiLens';
import { serper } from './serper';
import { tavily } from './tavily';

export const WEB_IMAGE_PROVIDERS: readonly ImageProviderDef[] = [serpapiLens, googleVision];
export const WEB_TEXT_PROVIDERS: readonly TextProviderDef[] = [serpapi, serper, brave, tavily, searxng];
