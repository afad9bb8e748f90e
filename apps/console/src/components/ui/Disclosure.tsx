import { type ReactNode, useId, useState } from 'react';
import './Disclosure.css';

interface DisclosureProps {
  /** The button's text and accessible name; a function of `open` when the name says what a press does. */
  label: ReactNode | ((open: boolean) => ReactNode);
  /** What the button shows; mounted only while open. */
  children: ReactNode;
  defaultOpen?: boolean | (() => boolean);
  /** `chevron`: bold text after an arrow that turns when open; `link`: plain link-like text. */
  look?: 'chevron' | 'link';
  /** Class of the element that holds `children`. */
  regionClassName?: string;
  /** Places the button, e.g. inside a heading beside other content; by default it stands alone. */
  wrapButton?: (button: ReactNode) => ReactNode;
}

/**
 * A button that shows and hides the content after it (the WAI-ARIA disclosure pattern):
 * `aria-expanded` tells whether it is open and `aria-controls` points at what it shows. A native
 * button, so Enter and Space work and it takes focus like any other.
 */
export function Disclosure({
  label,
  children,
  defaultOpen = false,
  look = 'chevron',
  regionClassName,
  wrapButton,
}: DisclosureProps) {
  const [open, setOpen] = useState(defaultOpen);
  const regionId = useId();
  const button = (
    <button
      type="button"
      className={look === 'chevron' ? 'disclosure' : 'link-button'}
      aria-expanded={open}
      aria-controls={regionId}
      onClick={() => setOpen((value) => !value)}
    >
      {look === 'chevron' ? <span aria-hidden="true" className="chevron" /> : null}
      {typeof label === 'function' ? label(open) : label}
    </button>
  );
  return (
    <>
      {wrapButton ? wrapButton(button) : button}
      {open ? (
        <div id={regionId} className={regionClassName}>
          {children}
        </div>
      ) : null}
    </>
  );
}
