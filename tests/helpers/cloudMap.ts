import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * The one stub of ServiceDiscoveryClient#send for every spec: a second `mockClient` of the class would
 * restore the first and leave its spec calling AWS. Reset it before each test.
 */
export const cloudMap = mockClient(ServiceDiscoveryClient);
