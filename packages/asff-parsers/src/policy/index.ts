export * from './apply-suppressions';
export * from './glob';
export * from './match-suppression';
export * from './parse-policy';
export * from './policy-error';
export * from './security-policy';
export * from './severity';
export * from './combine-policies';
