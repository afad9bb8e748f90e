import type { StepState } from '@flowdeck/types';
import { StatusBadge } from '../../../components/ui/Badge.tsx';
import { Disclosure } from '../../../components/ui/Disclosure.tsx';
import { JsonView } from '../../../components/ui/JsonView.tsx';
import { formatDuration } from '../../../lib/time.ts';
import { useNow } from '../../../lib/use-now.ts';
import '../runs.css';

/**
 * Steps laid out by depth: a step sits one row below the deepest step it needs, so steps
 * that can run in parallel share a row, side by side.
 */
export function layerSteps(steps: readonly StepState[]): StepState[][] {
  const byName = new Map(steps.map((step) => [step.name, step]));
  const depth = new Map<string, number>();
  const depthOf = (name: string, seen: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const step = byName.get(name);
    if (!step || seen.has(name)) return 0;
    seen.add(name);
    const value =
      step.needs.length === 0 ? 0 : 1 + Math.max(...step.needs.map((need) => depthOf(need, seen)));
    depth.set(name, value);
    return value;
  };
  const layers: StepState[][] = [];
  for (const step of steps) {
    const level = depthOf(step.name, new Set());
    const layer = layers[level] ?? [];
    layer.push(step);
    layers[level] = layer;
  }
  return layers.filter(Boolean);
}

export function StepGraph({ steps }: { steps: readonly StepState[] }) {
  const layers = layerSteps(steps);
  return (
    <ol className="step-graph" aria-label="Steps">
      {layers.map((layer, index) => (
        <li key={layer.map((step) => step.name).join(',')} className="step-layer">
          <span className="visually-hidden">
            Stage {index + 1}
            {layer.length > 1 ? `, ${layer.length} steps in parallel` : ''}
          </span>
          <ul className="step-row">
            {layer.map((step) => (
              <StepCard key={step.name} step={step} />
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}

function StepCard({ step }: { step: StepState }) {
  const now = useNow();
  const duration = step.startedAt !== null ? (step.finishedAt ?? now) - step.startedAt : null;
  return (
    <li className={`step-card step-${step.status}`} data-step={step.name} aria-label={`Step ${step.name}`}>
      <div className="step-card-header">
        <strong className="step-name">{step.name}</strong>
        <StatusBadge status={step.status} />
      </div>
      <dl className="step-facts">
        {step.needs.length > 0 ? (
          <div>
            <dt>needs</dt>
            <dd>{step.needs.join(', ')}</dd>
          </div>
        ) : (
          <div>
            <dt>entry</dt>
            <dd>step</dd>
          </div>
        )}
        <div>
          <dt>attempts</dt>
          <dd>{step.attempts}</dd>
        </div>
        <div>
          <dt>duration</dt>
          <dd>{duration === null ? '—' : formatDuration(duration)}</dd>
        </div>
      </dl>
      {step.error ? (
        <p className="step-error">
          {step.error.name ? `${step.error.name}: ` : ''}
          {step.error.message}
        </p>
      ) : null}
      {step.output !== undefined ? (
        <Disclosure look="link" label={(open) => (open ? 'Hide output' : 'Show output')}>
          <JsonView value={step.output} label={`Output of ${step.name}`} />
        </Disclosure>
      ) : null}
    </li>
  );
}
