import type { AnchorHTMLAttributes } from 'react';
import { useLinkHandler } from '../../app/router.ts';

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** An ordinary anchor that navigates inside the console without a reload. */
export function Link({ href, children, ...rest }: LinkProps) {
  const onClick = useLinkHandler(href);
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
