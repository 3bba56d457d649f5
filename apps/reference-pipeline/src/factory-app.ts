import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FactoryDefinition } from './config/load';
import { ApplicationStack } from './stacks/application-stack';
import { FactoryStack } from './stacks/factory-stack';
import { SharedStack } from './stacks/shared-stack';

/** The stack id of a single-application factory (today's). */
export const SINGLE_STACK_ID = 'DevSecOpsFactory';

export interface FactoryStacks {
  readonly shared?: SharedStack;
  readonly applications: Stack[];
  readonly all: Stack[];
}

/**
 * The stacks of a factory definition. A single-application file keeps its one
 * stack. A file with `applications:` gets a stack for the shared parts and one
 * per application: one application's stack stays far below CloudFormation's
 * 500 resources and 1 MB (README, "Many applications"), and adding one adds a
 * stack without changing the others.
 */
export function addFactoryStacks(scope: Construct, definition: FactoryDefinition, props: StackProps = {}): FactoryStacks {
  if (definition.layout === 'single') {
    const stack = new FactoryStack(scope, SINGLE_STACK_ID, {
      ...props,
      description: 'DevSecOps factory: secure CI/CD pipeline with scanning, Security Hub findings and governance',
      config: definition.applications[0].config,
    });
    return { applications: [stack], all: [stack] };
  }
  const shared = new SharedStack(scope, `${definition.name}-shared`, {
    ...props,
    description: `DevSecOps factory ${definition.name}: findings processing, reports bucket, network and governance shared by its applications`,
    definition,
  });
  const applications = definition.applications.map((application) => new ApplicationStack(scope, `${definition.name}-app-${application.name}`, {
    ...props,
    description: `DevSecOps factory ${definition.name}: the pipeline of application ${application.name}`,
    application,
    shared,
  }));
  return { shared, applications, all: [shared, ...applications] };
}
