// Every web search provider the settings can name, as data the registry builds from.
// (The local corpus and the recorded provider are built by the registry itself: they need
// the corpus folder and the replay endpoint rather than a web service.)
import type { ImageProviderDef, TextProviderDef } from '../kit';

export const WEB_IMAGE_PROVIDERS: readonly ImageProviderDef[] = [];
export const WEB_TEXT_PROVIDERS: readonly TextProviderDef[] = [];
