// Page reading: readers (Jina Reader, a direct fetch), a summariser, and the wrapper that
// puts them in front of a text search.
export { directReader, type DirectReaderOptions } from './directReader';
export { htmlToPageText, type PageText } from './htmlText';
export { jinaReader } from './jinaReader';
export { modelSummarizer, summaryClient, summaryModelSettings, SUMMARY_INPUT_CHARS, type SummaryModelInfo } from './summarizer';
export { PAGE_TEXT_MAX_CHARS, withPageReading, type PageReadingOptions, type PageReadingSearch } from './withPageReading';
