// Uploaders: make crops reachable by URL for image services that only take URLs.
export { contentName } from './contentName';
export {
  noUploaderMessage,
  PUBLIC_URL_SETTING,
  UPLOAD_TOKEN_ENV,
  UPLOAD_URL_SETTING,
  uploaderFromSettings,
  type UploaderSetting,
  type UploadSettings,
} from './fromSettings';
export { httpPutUploader, type HttpPutOptions } from './httpPutUploader';
export { recordableUrl } from './recordableUrl';
export { s3ObjectUrl, s3Uploader, type S3UploaderOptions } from './s3Uploader';
