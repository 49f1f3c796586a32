"""What samlite adds to CloudFormation: DescribeStacks for the local stack."""
