export * from './baseline';
export * from './evaluate-gate';
export * from './gate-result';
export * from './junit-report';
export * from './markdown-report';
export * from './read-findings';
export * from './sarif-report';
export * from './text-summary';
