/** Region and static credentials every local emulator accepts. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
/** The account id LocalStack and the AWS docs use for examples; ARNs built locally carry it. */
export const LOCAL_ACCOUNT_ID = '000000000000';
