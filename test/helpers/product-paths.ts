/**
 * What is not the product, wherever it sits: test, fixture, bench and support folders, and test
 * files. The package-contents suite holds npm's file list to it and the container-image suite the
 * image's files, so both mean the same thing by "only the product".
 */
const NOT_PRODUCT = [/(^|\/)(test|tests|fixtures|bench|support|dist-bench)\//, /\.test\.[^/]*$/];

export const isNotProduct = (path: string): boolean => NOT_PRODUCT.some((pattern) => pattern.test(path));
