/**
 * A control-plane change to the factory that someone must look at: who changed
 * the pipeline, its build projects, the roles they run as or the audit trail.
 */
export interface FactoryApiCall {
  /** Metric and alarm name stem, PascalCase. */
  readonly name: string;
  /** CloudTrail `eventSource` of the call. */
  readonly eventSource: string;
  /** CloudTrail `eventName`s that count as this change. */
  readonly eventNames: string[];
  /** Why the change matters, used in alarm descriptions. */
  readonly why: string;
}

/** Pipeline and build project changes: each can remove a security stage from the factory. */
export const FACTORY_API_CALLS: FactoryApiCall[] = [
  {
    name: 'UpdatePipeline',
    eventSource: 'codepipeline.amazonaws.com',
    eventNames: ['UpdatePipeline'],
    why: 'a pipeline definition changed; a security stage or approval may have been removed',
  },
  {
    name: 'DeletePipeline',
    eventSource: 'codepipeline.amazonaws.com',
    eventNames: ['DeletePipeline'],
    why: 'a pipeline was deleted',
  },
  {
    name: 'CreateProject',
    eventSource: 'codebuild.amazonaws.com',
    eventNames: ['CreateProject'],
    why: 'a CodeBuild project was created outside the factory definition',
  },
  {
    name: 'UpdateProject',
    eventSource: 'codebuild.amazonaws.com',
    eventNames: ['UpdateProject'],
    why: 'a CodeBuild project changed; its buildspec, image or role may no longer run the scans',
  },
  {
    name: 'DeleteProject',
    eventSource: 'codebuild.amazonaws.com',
    eventNames: ['DeleteProject'],
    why: 'a CodeBuild project was deleted',
  },
];

/** Trail changes that would blind the audit: stopping, deleting or re-pointing it. */
export const AUDIT_TRAIL_TAMPERING: FactoryApiCall = {
  name: 'AuditTrailTampering',
  eventSource: 'cloudtrail.amazonaws.com',
  eventNames: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
  why: 'CloudTrail logging was stopped, deleted or reconfigured',
};

/** IAM calls that change what a role may do or who may assume it. */
export const ROLE_POLICY_CHANGE_EVENT_NAMES = [
  'AttachRolePolicy',
  'DeleteRolePermissionsBoundary',
  'DeleteRolePolicy',
  'DetachRolePolicy',
  'PutRolePermissionsBoundary',
  'PutRolePolicy',
  'UpdateAssumeRolePolicy',
];
