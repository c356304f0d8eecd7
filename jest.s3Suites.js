/**
 * The suites that touch S3 and run a second time against a real S3 (`npm run test:ceph`, or any
 * S3 named by TEST_S3_ENDPOINT; see docs/s3.md): object storage, the staging contract, tus on S3
 * staging, resumable uploads, the uploader's crash and fault tests, and the end-to-end journeys.
 * The one place that list is kept; jest.config.js narrows the int and e2e projects to it when
 * TEST_S3 or TEST_S3_ENDPOINT picks another S3 than s3rver. Suites that run on file and S3
 * staging run only their S3 variant there (`stagingKindsUnderTest`).
 */
module.exports = [
  'platform/src/objectStorage/s3ObjectStorage.int.test.ts',
  'platform/src/objectStorage/resumableUpload.int.test.ts',
  'platform/src/objectStorage/streamedUpload.int.test.ts',
  'platform/src/objectStorage/serverSideCopy.int.test.ts',
  'platform/src/staging/stagingStoreContract.int.test.ts',
  'command-api/src/resumableUpload/s3TusArea.int.test.ts',
  'command-api/src/resumableUpload/resumableUpload.int.test.ts',
  'command-api/src/resumableUpload/tusConformance.int.test.ts',
  'command-api/src/resumableUpload/tuspy.int.test.ts',
  'command-api/src/resumableUpload/unrecordedFinish.int.test.ts',
  'command-api/src/intakeProgress/intakeProgress.int.test.ts',
  'cli/src/commands/forgetUserIntake.int.test.ts',
  'uploader/src/uploader.int.test.ts',
  'uploader/src/resilience/s3Faults.int.test.ts',
  'uploader/src/resilience/uploaderProcess.int.test.ts',
  'uploader/src/resilience/poisonAndAbandoned.int.test.ts',
  'system/src/e2e/uploadJourney.e2e.test.ts',
  'system/src/e2e/resumableJourney.e2e.test.ts',
  'system/src/e2e/tuspyJourney.e2e.test.ts',
  'system/src/e2e/s3PermanentFailure.e2e.test.ts',
  'system/src/chaos/commandApiCrash.e2e.test.ts',
  'client/src/upload.e2e.test.ts',
];
