import { PageHeading } from '../components/feedback';
import PolicyReviews from './PolicyReviews';

/** Table officers and administrators: the policy review deadline and the reviews held (6). */
export default function PolicyReviewPage() {
  return (
    <>
      <PageHeading title="Policy review">Policy review</PageHeading>
      <PolicyReviews />
    </>
  );
}
