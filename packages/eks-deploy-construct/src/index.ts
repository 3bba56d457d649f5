export * from './image/deploy-image';
export * from './manifests/workload-options';
export * from './manifests/deploy-manifests';
export * from './deploy/kubectl-release';
export * from './deploy/eks-deploy-stage';
export * from './approval/findings-filter';
export * from './approval/approval-gate';
export * from './cross-account/cross-account-deploy-role';
